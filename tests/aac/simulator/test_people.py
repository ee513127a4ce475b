"""People over HTTP: `iter_people_pages` against the simulator."""

from tests.aac.simulator.world import everything, ids

PERSON_FIELDS = {"id", "email", "name", "isDisabled", "state", "isAdmin"}


def test_it_lists_everyone_in_pages_with_the_total(world):
    pages = list(world.client.iter_people_pages(page_size=7, include_count=True))

    assert [len(page) for page in pages] == [7, 7, 6]
    assert [page.total for page in pages] == [20, 20, 20]
    assert ids(everything(pages)) == [p["id"] for p in world.workspace.people]
    assert world.requests("people.list") == 3


def test_it_stops_at_the_total_without_asking_for_an_empty_page(make_world):
    world = make_world(people=20)

    pages = list(world.client.iter_people_pages(page_size=10, include_count=True))

    assert [len(page) for page in pages] == [10, 10]
    assert world.requests("people.list") == 2


def test_it_reads_each_persons_documented_fields(world):
    people = everything(world.client.iter_people_pages())

    assert all(set(person) >= PERSON_FIELDS | {"lastLoginTime"} for person in people)
    admin = next(person for person in people if person["id"] == world.admin)
    assert admin["isAdmin"] is True
    assert any(person["isDisabled"] for person in people)


def test_a_token_scoped_to_its_owner_still_lists_everyone(make_world):
    world = make_world(list_scope="owner")
    colleague = world.client_for(world.pair_for(world.colleagues()[0]))

    people = everything(colleague.iter_people_pages())

    assert ids(people) == [p["id"] for p in world.workspace.people]
