"""Chinese for the msgids added by the "harden" branch (issue 7, items 5-8)."""

ZH = {
    "Saved meanwhile by someone else (your input is kept in the form below):": (
        "在您打开表单之后，他人已保存了以下内容（您填写的内容仍保留在下方表单中）："
    ),
    (
        "The file's content does not match its name (.%(extension)s). Upload the PDF, JPEG or PNG "
        "scan as it was saved."
    ): "文件内容与文件名（.%(extension)s）不符。请上传原样保存的 PDF、JPEG 或 PNG 扫描件。",
}
