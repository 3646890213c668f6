"""The PDF writer: a :class:`~caseman.documents.layout.Document` as a PDF (WeasyPrint).

The document is rendered to HTML by ``templates/documents/sheets.html`` (``flask.render_template``:
call it inside an application context, as the views, the CLI and the tests do) and laid out with
``static/css/documents.css``: A4 named pages (portrait / landscape per sheet), each sheet on a new
page, fonts named explicitly (Noto Serif CJK SC from Debian's ``fonts-noto-cjk``), boxes in
DejaVu Sans, the only installed font with both □ and ☑.

WeasyPrint is imported on first use (the import alone takes ~0.7 s), and each thread keeps one
``FontConfiguration`` for all its renders (Pango font maps are not meant to be shared between
threads). The URL fetcher serves files under the static folder and refuses everything else (no
``file://`` elsewhere, no network, no ``data:``), so a document can never pull in anything but our
own stylesheet.

A long batch (batch jobs, the half-year package) is laid out by ``CASEMAN_PDF_WORKERS`` processes
(2 by default), a chunk of forms each; every process keeps each font's file and each glyph
subset it has made (issue 21). The pages are the same as one process's, pixel for pixel
(tests/documents/test_fast_forms.py).
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import os
import shutil
import subprocess  # noqa: S404 - runs fc-list, a fixed command without a shell # nosec B404
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, render_template

from caseman.documents import stamp
from caseman.documents.errors import DocumentError
from caseman.documents.layout import Box, Document, Paragraph, Row, Sheet, Text
from caseman.documents.qr import rgb_png, rgb_scanlines

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

__all__ = [
    "DocumentError",
    "check_cjk_font",
    "pdf_workers",
    "render_pdf",
    "render_pdf_many",
    "static_url_fetcher",
]

TEMPLATE = "documents/sheets.html"
STYLESHEET = "css/documents.css"  # relative to the static folder
INSTALL_HINT = (
    "No Chinese (CJK) font is installed, so the PDF would print Chinese as empty boxes. "
    "Install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk; `make test` and "
    "`make run` do it through scripts/ensure-debian-packages.sh)."
)
PREFERRED_FONT = "Noto Serif CJK SC"
# The QR code of a document number is an image the fetcher draws: ``caseman-qr:<number>`` (a PNG
# is laid out and embedded much faster than an SVG of a few hundred path segments).
QR_SCHEME = "caseman-qr:"
# Its image is one pixel a module (qr.rgb_scanlines), drawn without smoothing (image-rendering:
# pixelated in the stylesheet): crisp modules at any printer resolution, and a tiny image to
# encode (the 8-pixel modules of the Word file made a 264×264 RGB image a copy, ~10 ms a form).
UNBROKEN_LABEL = 12  # characters: an option label up to this long is never split across lines

_cjk_font: str | None = None  # the probe's answer, kept once a font was found
_local = threading.local()


# --- fonts ----------------------------------------------------------------------------------------


def _probe_cjk_fonts() -> list[str]:
    """Families of the installed fonts that cover Chinese (``fc-list :lang=zh family``)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell # nosec B603
        [fc_list, ":lang=zh", "family"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    families = []
    for line in result.stdout.splitlines():
        families.extend(name.strip() for name in line.split(",") if name.strip())
    return families


def check_cjk_font() -> str:
    """The CJK font family the PDF will use; :class:`DocumentError` when there is none.

    The answer is cached once a font was found; a failure is not, so installing the font fixes
    a running server.
    """
    global _cjk_font
    if _cjk_font is None:
        families = _probe_cjk_fonts()
        if not families:
            raise DocumentError(INSTALL_HINT)
        _cjk_font = PREFERRED_FONT if PREFERRED_FONT in families else sorted(families)[0]
    return _cjk_font


def _font_config() -> FontConfiguration:
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        install_font_caches()
        config = _local.font_config = FontConfiguration()
    return config


# --- font caches ----------------------------------------------------------------------------------
#
# Writing a PDF, WeasyPrint copies each font's whole file out of HarfBuzz (the Noto Serif CJK
# collection is 26 MB: ~10 ms a face) and subsets it with hb_subset (~30-40 ms a CJK face), for
# every PDF. A form uses three faces (Noto Serif regular for text and values, bold for labels,
# DejaVu for the boxes); the bold and DejaVu glyphs are those of the form's printed labels, the
# same for every 附件2. So, per process: the file of each font face is copied once, and a subset
# is kept by (face, glyphs, flags), which is all hb_subset reads: the PDF is byte for byte the
# same, only not computed again (tests/documents/test_fast_forms.py).

SUBSET_CACHE_SIZE = 48  # subsets kept (a bold or DejaVu subset ~20-60 KB, a regular one ~200 KB)
_font_cache_lock = threading.Lock()
_font_files: dict[int, tuple[Any, bytes | None]] = {}  # face address: (face kept alive, file)
_subsets: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_font_caches = {"installed": False, "enabled": True, "file_hits": 0, "subset_hits": 0}


def install_font_caches() -> None:
    """Wrap WeasyPrint 70's font reading and subsetting with the caches above (once a process).

    Only the whole file of a face that a Pango font holds is cached (the face is kept alive, so
    its address is never reused); a subset's own file is never cached by address.
    """
    import weasyprint
    import weasyprint.pdf as weasyprint_pdf
    from weasyprint.pdf import fonts as pdf_fonts

    with _font_cache_lock:
        if _font_caches["installed"] or not weasyprint.__version__.startswith("70."):
            return  # another WeasyPrint: its internals may differ, so no caches
        original_face = pdf_fonts.get_pango_font_hb_face
        original_data = pdf_fonts.get_hb_object_data
        original_subset = pdf_fonts.Font.subset
        ffi = pdf_fonts.ffi

        def get_pango_font_hb_face(pango_font: Any) -> Any:
            face = original_face(pango_font)
            if _font_caches["enabled"]:
                address = int(ffi.cast("uintptr_t", face))
                with _font_cache_lock:
                    _font_files.setdefault(address, (face, None))
            return face

        def get_hb_object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
            if ot_color is not None or not _font_caches["enabled"]:
                return original_data(hb_object, ot_color, glyph)
            address = int(ffi.cast("uintptr_t", hb_object))
            known = _font_files.get(address)
            if known is None:  # a subset's face, or caches off: read it every time
                return original_data(hb_object)
            if known[1] is None:
                data = original_data(hb_object)
                with _font_cache_lock:
                    _font_files[address] = (known[0], data)
                return data
            _font_caches["file_hits"] += 1
            return known[1]

        def subset(self: Any, to_unicode: Any, hinting: Any) -> None:
            address = int(ffi.cast("uintptr_t", self.hb_face))
            if not to_unicode or not _font_caches["enabled"] or address not in _font_files:
                return original_subset(self, to_unicode, hinting)
            key = (
                address,
                len(self.file_content),
                tuple(sorted(to_unicode)),
                bool(hinting),
                bool(self.missing),
            )
            with _font_cache_lock:
                cached = _subsets.get(key)
                if cached is not None:
                    _subsets.move_to_end(key)
            if cached is not None:
                _font_caches["subset_hits"] += 1
                self.file_content = cached
                return None
            if not _subset_once(self, self.hb_face, to_unicode, hinting, original_data):
                original_subset(self, to_unicode, hinting)
            with _font_cache_lock:
                _subsets[key] = self.file_content
                while len(_subsets) > SUBSET_CACHE_SIZE:
                    _subsets.popitem(last=False)
            return None

        original_build = weasyprint_pdf.build_fonts_dictionary

        def build_fonts_dictionary(pdf: Any, fonts: Any, compress: Any, *args: Any) -> Any:
            start = len(pdf.objects)
            result = original_build(pdf, fonts, compress, *args)
            if compress and _font_caches["enabled"]:
                for obj in pdf.objects[start:]:
                    extra = getattr(obj, "extra", None) or {}
                    is_file = extra.get("Subtype") == "/OpenType" or "Length1" in extra
                    if is_file and getattr(obj, "compress", False) and len(obj.stream) == 1:
                        obj.stream = [_packed(obj.stream[0])]
                        obj.compress = False
                        obj.extra["Filter"] = "/FlateDecode"
            return result

        pdf_fonts.get_pango_font_hb_face = get_pango_font_hb_face
        pdf_fonts.get_hb_object_data = get_hb_object_data
        pdf_fonts.Font.subset = subset
        weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary
        _font_caches["installed"] = True


# WeasyPrint subsets a face in two passes: glyph ids retained, then the retained font again to drop
# the slots after the last glyph used and the hinting. The second pass, over a 65,535-glyph CJK
# font, took as long as the first. One pass does both (hb_subset_preprocess would halve it
# again, but a prepared CJK face holds ~390 MB: a worker must stay under 400 MB).
DROPPED_TABLES = (
    b"BASE",
    b"DSIG",
    b"EBDT",
    b"EBLC",
    b"EBSC",
    b"GPOS",
    b"GSUB",
    b"JSTF",
    b"LTSH",
    b"PCLT",
    b"SVG ",
)  # fmt: skip  (as WeasyPrint drops them)


def _subset_once(font: Any, face: Any, to_unicode: Any, hinting: Any, read: Any) -> bool:
    """WeasyPrint's subset in one pass: glyph ids retained up to the last one used, outlines
    desubroutinised, hinting dropped unless asked for; the pages are the same
    (tests/documents/test_fast_forms.py)."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    glyphs = sorted(to_unicode)
    gid_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(
        gid_set, ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs), len(glyphs)
    )
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    drop = harfbuzz_subset.hb_subset_input_set(
        subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
    )
    tags = [harfbuzz.hb_tag_from_string(name, -1) for name in DROPPED_TABLES]
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    subset = harfbuzz_subset.hb_subset_or_fail(face, subset_input)
    if subset == ffi.NULL:
        return False
    data = read(ffi.gc(subset, harfbuzz.hb_face_destroy))
    if not data:
        return False
    font.file_content = data
    return True


# A font file is written compressed: pydyf compresses every stream at level 9 (~16 ms for a CJK
# subset of ~800 KB, twice a form). A font file already seen (a subset from the cache above) is
# kept compressed; a new one is compressed at level 1 (~6 ms, 2 % larger).
PACKED_KEPT = 16
_packed_files: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()


def _packed(data: bytes) -> bytes:
    import zlib

    with _font_cache_lock:
        found = _packed_files.get(id(data))
        if found is not None and found[0] is data:
            _packed_files.move_to_end(id(data))
            return found[1]
    packed = zlib.compress(data, 1)
    with _font_cache_lock:
        _packed_files[id(data)] = (data, packed)
        while len(_packed_files) > PACKED_KEPT:
            _packed_files.popitem(last=False)
    return packed


def font_caches_enabled(enabled: bool) -> bool:
    """Turn the font caches on or off (tests compare with WeasyPrint's own path); the previous
    setting is returned. Off, the caches are emptied."""
    previous = bool(_font_caches["enabled"])
    _font_caches["enabled"] = enabled
    if not enabled:
        with _font_cache_lock:
            _font_files.clear()
            _subsets.clear()
            _packed_files.clear()
    return previous


# --- the URL fetcher ------------------------------------------------------------------------------


def static_url_fetcher(static_root: str | Path | None = None) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves only files under ``static_root`` (the app's static
    folder by default) and raises for any other URL; errors stop the rendering."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(static_root or current_app.static_folder or "static").resolve()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith(QR_SCHEME):
                number = unquote(url.removeprefix(QR_SCHEME))
                return URLFetcherResponse(url, pdf_qr_png(number), {"Content-Type": "image/png"})
            path = static_path(url, root)
            mime, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                path.as_uri(),
                path.read_bytes(),
                {"Content-Type": mime or "application/octet-stream"},
            )

    return StaticOnlyFetcher(fail_on_errors=True)


def static_path(url: str, root: Path) -> Path:
    """The file a ``file://`` URL names, if it lies under ``root``; otherwise ValueError."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused URL (only static files are served): {url}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ValueError(f"refused URL (not a file under {root}): {url}")
    return path


# --- rendering ------------------------------------------------------------------------------------


def render_pdf(document: Document, *, base_url: str | None = None) -> bytes:
    """The document as PDF bytes (needs an application context).

    ``base_url`` is where relative URLs in the template resolve (the static folder by default);
    whatever it is, only files under the static folder are ever fetched.
    """
    return render_pdf_many([document], base_url=base_url)


CHUNK_PAGES = 150  # laid-out pages held in memory before they are written (about 50 附件2)
WORKER_CHUNK_PAGES = 90  # a worker's chunk: its peak memory stays well under 400 MB
POOL_MIN_DOCUMENTS = 12  # fewer documents are laid out in this process (starting workers ~1.5 s)


def pdf_workers() -> int:
    """Processes that lay out a long batch (CASEMAN_PDF_WORKERS; by default the CPUs, at most 2:
    the machine serves requests too). 1 lays everything out in the calling process."""
    configured = current_app.config.get("CASEMAN_PDF_WORKERS")
    if configured is None:
        configured = os.environ.get("CASEMAN_PDF_WORKERS") or min(2, os.cpu_count() or 1)
    return max(1, int(configured))


def render_pdf_many(
    documents: Iterable[Document],
    on_rendered: Callable[[int], None] | None = None,
    *,
    base_url: str | None = None,
    workers: int | None = None,
) -> bytes:
    """Many documents as one PDF (needs an application context).

    Each document is laid out on its own (so ``on_rendered(k)`` can report progress after the
    k-th). Laid-out pages are written in chunks of about ``CHUNK_PAGES`` (each font embedded
    once per chunk) and the chunks joined with pikepdf: a village's 600 pages would otherwise
    hold about a gigabyte of layout in memory at once.

    A batch of ``POOL_MIN_DOCUMENTS`` or more is laid out by ``workers`` processes
    (:func:`pdf_workers` by default), a chunk each at a time; the HTML of each document is made
    here (templates need the app), the layout and the chunk's PDF there. The pages are the
    same either way, in the same order (tests/documents/test_fast_forms.py compares them).
    """
    check_cjk_font()
    static_root = Path(current_app.static_folder or "static").resolve()
    base = base_url or static_root.as_uri() + "/"
    workers = pdf_workers() if workers is None else max(1, workers)
    if workers > 1:
        documents = list(documents)
        if len(documents) >= POOL_MIN_DOCUMENTS:
            return _render_in_workers(documents, on_rendered, static_root, base, workers)
    from weasyprint.urls import FatalURLFetchingError

    fetcher = static_url_fetcher(static_root)
    joined = _Joined()
    first = None
    pages: list[Any] = []
    try:
        for k, document in enumerate(documents, start=1):
            rendered, document_pages = _pages(document, static_root, base, fetcher)
            first = first or rendered
            pages.extend(document_pages)
            if len(pages) >= CHUNK_PAGES:
                joined.add(first.copy(pages).write_pdf())
                first, pages = None, []
            if on_rendered is not None:
                on_rendered(k)
    except FatalURLFetchingError as error:  # a BaseException: make it an ordinary error
        raise DocumentError(f"the document refers to a file it may not read: {error}") from error
    if first is not None:
        joined.add(first.copy(pages).write_pdf())
    return joined.value()


def _render_in_workers(
    documents: list[Document],
    on_rendered: Callable[[int], None] | None,
    static_root: Path,
    base: str,
    workers: int,
) -> bytes:
    """The documents' PDF, its chunks laid out by a pool of ``workers`` processes and joined here
    as they come back (:class:`_Joined`).

    Chunks are cut by sheets (a sheet is about a page) so that each worker has work: at most
    ``WORKER_CHUNK_PAGES``, at least an even share. At most two chunks a worker are waiting or under
    way, so the HTML of a long batch is never all in memory at once; they come back in order.
    """
    from concurrent.futures import Future

    sheets = sum(max(1, len(d.sheets)) for d in documents)
    size = max(1, min(CHUNK_PAGES, WORKER_CHUNK_PAGES, -(-sheets // workers)))
    joined = _Joined()
    pending: deque[tuple[Future[bytes], int]] = deque()
    done = 0

    def collect() -> None:
        nonlocal done
        future, count = pending.popleft()
        joined.add(future.result())
        done += count
        if on_rendered is not None:
            on_rendered(done)

    templates = _template_folder()
    kept = getattr(_kept, "pool", None)
    if kept is not None and kept[1] == workers:
        pool_context: Any = contextlib.nullcontext(kept[0])  # kept_workers() shuts it down
    else:
        pool_context = _new_pool(workers)
    with pool_context as pool:
        chunk: list[Document] = []
        chunk_sheets = 0
        for document in documents:
            chunk.append(document)
            chunk_sheets += max(1, len(document.sheets))
            if chunk_sheets >= size:
                job = pool.submit(_chunk_pdf, chunk, templates, str(static_root), base)
                pending.append((job, len(chunk)))
                chunk, chunk_sheets = [], 0
                while len(pending) >= 2 * workers:
                    collect()
        if chunk:
            job = pool.submit(_chunk_pdf, chunk, templates, str(static_root), base)
            pending.append((job, len(chunk)))
        while pending:
            collect()
    return joined.value()


_kept = threading.local()


# A layout worker's garbage collector (gc.set_threshold). A worker holds ~2.6 million objects once
# it has learnt its blanks (their boxes, styles and drawings), and Python's default (700, 10, 10)
# walked all of them in a full collection every few hundred forms (~2 s each) and the younger
# generations a thousand times a chunk: a fifth to a quarter of a worker's time. Collecting the
# youngest generation every 10,000 allocations instead of 700 took 1,500 forms from 140 s to
# 113 s in one process, its RSS growing 33 MB either way ((50000, 20, 100) grew it 66 MB); in
# scripts/bench_forms.py's batch a worker's peak RSS was 380 MB against 357 MB.
WORKER_GC_THRESHOLDS = (10_000, 10, 10)
# A layout worker prints a package's every kind of form: at stamp.BLANKS_KEPT (24, what a web
# worker printing a form at a time keeps) the district's ~50 kinds of 附件3 evicted each other,
# 6-22 full layouts (~420 ms each) every 600 forms; at 48 none, and a worker peaked at 357 MB
# (339 MB at 24).
WORKER_BLANKS_KEPT = 48


def _worker_start() -> None:
    """A layout worker's start: what the imports made is kept out of collections (gc.freeze),
    the collector runs less often (``WORKER_GC_THRESHOLDS``), and more blanks are kept."""
    import gc

    import weasyprint  # noqa: F401 - its modules, loaded before they are frozen

    stamp.BLANKS_KEPT = WORKER_BLANKS_KEPT
    gc.collect()
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _new_pool(workers: int) -> Any:
    """A pool of ``workers`` layout processes."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    # spawn: a fresh interpreter (Pango and GLib are not safe to fork from a threaded server)
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_worker_start)


@contextlib.contextmanager
def kept_workers(workers: int | None = None) -> Iterator[None]:
    """Within this, the batches of render_pdf_many (of ``workers`` processes, pdf_workers() by
    default) are laid out by one pool of processes, kept from batch to batch, so that each keeps
    the blanks it has learnt (stamp.py): a half-year package prints a town village by village,
    and a new pool for each village laid out the first forms of every kind again (~0.4 s each,
    some sixty kinds a worker). The pool ends with the block."""
    count = pdf_workers() if workers is None else max(1, workers)
    if count < 2 or getattr(_kept, "pool", None) is not None:
        yield  # one process, or already inside: nothing to keep
        return
    pool = _new_pool(count)
    _kept.pool = (pool, count)
    try:
        yield
    finally:
        _kept.pool = None
        pool.shutdown(wait=True, cancel_futures=True)


def _template_folder() -> str:
    """The folder holding ``documents/sheets.html`` (the app's template folder)."""
    for loader_root in getattr(current_app.jinja_loader, "searchpath", []):
        if (Path(loader_root) / TEMPLATE).is_file():
            return str(loader_root)
    raise DocumentError(f"{TEMPLATE} not found")


_worker_env: Any = None


def _worker_render(templates: str) -> Callable[..., str]:
    """In a worker (no Flask app): the sheets template rendered by a plain Jinja environment
    with Flask's settings for .html templates (autoescape); it uses no filter or global."""
    global _worker_env
    if _worker_env is None:
        from jinja2 import Environment, FileSystemLoader

        _worker_env = Environment(loader=FileSystemLoader(templates), autoescape=True)  # nosec B701
    return _worker_env.get_template(TEMPLATE).render


def _chunk_pdf(documents: list[Document], templates: str, static_root: str, base: str) -> bytes:
    """In a worker: each document stamped into its blank or laid out (and kept as a blank), the
    pages written as one PDF. The worker keeps its blanks from chunk to chunk."""
    from weasyprint.urls import FatalURLFetchingError

    fetcher = static_url_fetcher(static_root)
    render = _worker_render(templates)
    first = None
    pages: list[Any] = []
    try:
        for document in documents:
            rendered, document_pages = _pages(document, Path(static_root), base, fetcher, render)
            first = first or rendered
            pages.extend(document_pages)
    except FatalURLFetchingError as error:  # not picklable as it is: an ordinary error
        raise DocumentError(f"the document refers to a file it may not read: {error}") from None
    assert first is not None
    return first.copy(pages).write_pdf()


class _Joined:
    """PDFs joined page after page into one as they come (pikepdf, qpdf's C++: a call's 200 forms
    in ~0.15 s, where pypdf, parsing every object in Python, took ~1 s while the layout workers
    waited). Each part is opened and its pages taken when it is added, while the workers lay out
    the next parts; only the saving is left for the end (~0.06 s of the 0.15 s)."""

    def __init__(self) -> None:
        self._first: bytes | None = None
        self._joined: Any = None
        self._sources: list[Any] = []  # open until saved

    def add(self, part: bytes) -> None:
        if self._joined is None and self._first is None:
            self._first = part  # one part alone is the PDF as it is
            return
        if self._joined is None:
            import pikepdf

            self._joined = pikepdf.Pdf.new()
            assert self._first is not None
            self._take(self._first)
            self._first = None
        self._take(part)

    def _take(self, part: bytes) -> None:
        import pikepdf

        source = pikepdf.Pdf.open(io.BytesIO(part))
        self._sources.append(source)
        self._joined.pages.extend(source.pages)

    def value(self) -> bytes:
        if self._joined is None:
            if self._first is None:
                raise ValueError("no documents to render")
            return self._first
        out = io.BytesIO()
        self._joined.save(out)
        return out.getvalue()


# --- copies: one layout, a band per copy ----------------------------------------------------------
#
# The copies of a form (第1联, 第2联 …) differ only in the band at the top: the copy label, the
# document number and its QR code. Laying out the same table three or four times was most of the
# time a form took, so the form is laid out once with its band left blank, each copy's band is
# laid out on a page of its own, and every page of every copy is painted as the form's page with
# that copy's band on top. The band sits in the page's top margin (a banded sheet's pages have
# room for it there), so it is at the same place on each page: a form that runs to a second page
# (附件2 with six family members, 附件3 with several care records) carries its copy label, number
# and QR code on every page, not only the first (issue 17 item 9). The PDF is the same as if each
# copy had been laid out in full: same positions, same text, fonts embedded once.


class _Overlay:
    """A laid-out page painted with another laid-out page on top of it.

    The base page (the form without its band) is drawn once per PDF into a form XObject, and
    every copy's page shows that XObject: three copies cost one drawing of the table, not three,
    and the file holds the table's content stream once.
    """

    def __init__(self, base: Any, top: Any) -> None:
        self._base = base
        self._top = top

    def __getattr__(self, name: str) -> Any:  # size, bleed, links, anchors… of the base page
        return getattr(self._base, name)

    def paint(self, stream: Any, scale: float = 1) -> None:
        from weasyprint.draw import draw_page

        with stream.stacked():
            stream.transform(a=scale, d=scale)
            # One XObject per base page and per PDF: the resources dictionary is the PDF's own.
            # ``stream._resources`` and ``_page_box`` are WeasyPrint internals (pinned 70.0);
            # tests/documents read every copy's text back, so an upgrade that moves them fails.
            cached = getattr(self._base, "_caseman_xobject", None)
            if cached is None or cached[0] is not stream._resources:
                group = stream.add_group(*stream.page_rectangle)
                draw_page(self._base._page_box, group)
                cached = (stream._resources, group.id)
                self._base._caseman_xobject = cached
            stream.draw_x_object(cached[1])
        self._top.paint(stream, scale)


def copy_groups(sheets: list[Sheet]) -> list[list[Sheet]]:
    """Consecutive sheets that are copies of one form: the same table object, title, lines and
    orientation, each with a band (copy label or document number)."""
    groups: list[list[Sheet]] = []
    for sheet in sheets:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.table is sheet.table
            and (last.title, last.before, last.after, last.orientation)
            == (sheet.title, sheet.before, sheet.after, sheet.orientation)
            and (sheet.copy_label or sheet.document_number)
            and (last.copy_label or last.document_number)
        ):
            groups[-1].append(sheet)
        else:
            groups.append([sheet])
    return groups


def _pages(
    document: Document,
    static_root: Path,
    base: str,
    fetcher: Any,
    render: Callable[..., str] | None = None,
) -> tuple[Any, list]:
    """A document's pages: stamped into its blank when one is kept (stamp.py), otherwise laid
    out in full, and then kept as the blank of its kind. ``render(**context)`` makes the HTML
    (Flask's render_template of ``sheets.html`` by default)."""
    context = template_context(document)
    stamping = bool(_font_caches["enabled"])
    if stamping:
        stamped = stamp.try_stamp(context["skeleton"], context["texts"], _qr_image)
        if stamped is not None:
            return stamped
    stylesheet = (static_root / STYLESHEET).as_uri()  # absolute: whatever base_url says
    if render is None:
        html = render_template(TEMPLATE, **context, stylesheet=stylesheet)
    else:
        html = render(**context, stylesheet=stylesheet)
    rendered, pages = _lay_out(html, context["layout"], base, fetcher)
    if stamping:
        stamp.record(context["skeleton"], context["texts"], rendered, pages)
    return rendered, pages


def pdf_qr_png(number: str) -> bytes:
    """The PNG of a document number's QR code in a PDF: a pixel a module, RGB (WeasyPrint
    takes an RGB PNG as it is; a one-bit image it converts and encodes again)."""
    return rgb_png(*rgb_scanlines(number))


def _qr_image(number: str) -> Any:
    return stamp.qr_image(number, *rgb_scanlines(number))


def _lay_out(html: str, layout: list[dict[str, Any]], base: str, fetcher: Any) -> tuple[Any, list]:
    """Lay the document out; its pages in order, each copy's first page with its own band."""
    from weasyprint import HTML

    rendered = HTML(string=html, base_url=base, url_fetcher=fetcher).render(
        font_config=_font_config()
    )
    # Which section each page belongs to: a section's id is an anchor on its first page.
    by_section: dict[int, list[Any]] = {}
    section = -1
    for page in rendered.pages:
        starts = [int(a[1:]) for a in page.anchors if a.startswith("s") and a[1:].isdigit()]
        if starts:
            section = min(starts)
        by_section.setdefault(section, []).append(page)
    pages: list[Any] = []
    for entry in layout:
        body = by_section.get(entry["section"], [])
        if entry["bands"] is None:
            pages.extend(body)
            continue
        for band in entry["bands"]:
            (top,) = by_section[band]
            pages.extend(_Overlay(page, top) for page in body)
    return rendered, pages


def template_context(document: Document) -> dict[str, Any]:
    """What ``sheets.html`` needs: the sheets with their inlines flattened for Jinja.

    Copies of one form (:func:`copy_groups`), and a single sheet with a band, become one section
    with a blank band and one band-only section per copy; ``layout`` says which sections make
    which pages.
    """
    sheets: list[dict[str, Any]] = []
    layout: list[dict[str, Any]] = []
    for group in copy_groups(document.sheets):
        body = _sheet(group[0], _qr(group[0]))
        body["section"] = len(sheets)
        if not (group[0].copy_label or group[0].document_number):
            sheets.append(body)
            layout.append({"section": body["section"], "bands": None})
            continue
        body["band"] = "hidden"
        sheets.append(body)
        bands = []
        for sheet in group:
            bands.append(len(sheets))
            sheets.append({**_sheet_band(sheet), "section": len(sheets), "band": "only"})
        layout.append({"section": body["section"], "bands": bands})
    title = next((s.title for s in document.sheets if s.title), document.name)
    skeleton, texts = stamp.mark(sheets)
    return {
        "title": title,
        "sheets": sheets,
        "layout": layout,
        "skeleton": (title, skeleton, _freeze_layout(layout)),
        "texts": texts,
    }


def _freeze_layout(layout: list[dict[str, Any]]) -> tuple[Any, ...]:
    return tuple((e["section"], tuple(e["bands"] or ())) for e in layout)


def _qr(sheet: Sheet) -> str | None:
    number = sheet.document_number
    return QR_SCHEME + quote(number, safe="") if number else None


def _sheet_band(sheet: Sheet) -> dict[str, Any]:
    return {
        "orientation": sheet.orientation,
        "copy_label": sheet.copy_label,
        "document_number": sheet.document_number,
        "qr": _qr(sheet),
    }


def _sheet(sheet: Sheet, qr: str | None) -> dict[str, Any]:
    table = sheet.table
    grid = table.grid()  # raises ValueError when the spans do not tile the grid
    head = 0
    while head < len(table.rows) and table.rows[head].header:
        head += 1
    # A cell spanning from the header rows into the body would break the table apart.
    if any(r + c.rowspan > head for r in range(head) for c in table.rows[r].cells):
        head = 0
    return {
        "band": "full",
        "title": sheet.title,
        "orientation": sheet.orientation,
        "copy_label": sheet.copy_label,
        "document_number": sheet.document_number,
        "qr": qr,
        "before": [_line(line.parts, line.align, line.size_pt) for line in sheet.before],
        "after": [_line(line.parts, line.align, line.size_pt) for line in sheet.after],
        "widths": [_mm(w) for w in table.column_widths_mm],
        "width": _mm(sum(table.column_widths_mm)),
        "font_pt": table.font_pt,
        "head": [_row(row) for row in table.rows[:head]],
        "body": _row_groups(table.rows, grid, head),
    }


def _row_groups(rows: list[Row], grid: list[list[Any]], start: int) -> list[dict[str, Any]]:
    """The body rows in groups joined by rowspans, each group one ``<tbody>`` kept on one page
    (a label spanning rows must not be cut from its values); a group ending in a heading row
    (section or column headers) stays with the group after it."""
    groups: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for r in range(start, len(rows)):
        group.append(_row(rows[r]))
        if not any(top + rows[top].cells[i].rowspan - 1 > r for top, i in grid[r]):
            classes = ["keep"] if len(group) > 1 else []
            if _is_heading(rows[r]):
                classes.append("keep-next")
            groups.append({"rows": group, "classes": " ".join(classes)})
            group = []
    return groups


def _is_heading(row: Row) -> bool:
    """A row of section titles or column headers: it belongs with the row below it."""
    return all(cell.kind in ("section", "header") for cell in row.cells)


def _line(parts: Paragraph, align: str, size_pt: float | None) -> dict[str, Any]:
    return {"parts": _inlines(parts), "align": align, "size_pt": size_pt}


def _row(row: Row) -> dict[str, Any]:
    tall = row.height_mm is not None
    cells = []
    for cell in row.cells:
        classes = [
            f"kind-{cell.kind}",
            f"align-{'center' if cell.kind == 'header' else cell.align}",
        ]
        if tall and cell.kind in ("value", "signature"):
            classes.append("top")
        cells.append(
            {
                "colspan": cell.colspan,
                "rowspan": cell.rowspan,
                "classes": " ".join(classes),
                "paragraphs": [_inlines(p) for p in cell.paragraphs] or [[]],
            }
        )
    return {"height": _mm(row.height_mm) if tall else None, "cells": cells}


def _inlines(parts: Paragraph) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, Box):
            # The box and its label do not break apart; a long label may wrap after its start.
            cut = len(part.label) if len(part.label) <= UNBROKEN_LABEL else 1
            out.append(
                {
                    "kind": "box",
                    "glyph": part.glyph,
                    "head": part.label[:cut],
                    "tail": part.label[cut:],
                }
            )
        elif isinstance(part, Text):
            classes = " ".join(c for c, on in (("bold", part.bold), ("fill", part.fill)) if on)
            out.append({"kind": "text", "text": part.text, "classes": classes})
        elif part:
            out.append({"kind": "plain", "text": part})
    return out


def _mm(value: float | None) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value is not None else ""
