"""caseman.templating.id_url: a long list's links built once and filled per row (issue 21)."""

from __future__ import annotations

from flask import url_for

from caseman.templating import id_url


def test_id_url_gives_what_url_for_gives_for_every_id(app):
    for root in ("", "/caseman"):
        with app.test_request_context("/visits/due", base_url=f"http://localhost{root}/"):
            show = id_url("elders.show", "elder_id")
            call = id_url("elders.call", "elder_id", which="phone")
            for elder_id in (1, 7, 918273645, 2**31 - 1):
                assert show(elder_id) == url_for("elders.show", elder_id=elder_id)
                assert call(elder_id) == url_for("elders.call", elder_id=elder_id, which="phone")
            assert show(12).startswith(root + "/")


def test_the_due_list_links_each_row_to_its_elder_their_phone_and_a_new_visit(
    make_user, login_as, make_elder
):
    elder = make_elder(phone="13800001234")
    page = login_as(make_user("village", "jingang")).get("/visits/due").get_data(as_text=True)
    assert f'href="/elders/{elder.id}"' in page
    assert f'href="/elders/{elder.id}/call/phone"' in page
    assert f'href="/elders/{elder.id}/visits/new"' in page
