"""``liaison persons``: one person across terms and committees — the people the records are
(``persons list``), the records that may be one person (``persons match``), and the office's
answer to a proposal (``persons link``, ``persons separate``)."""

from __future__ import annotations

import click

from liaison_graph.api.commands.questions import BELOW_HELP, format_option, say
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import AS_OF_HELP, parse_day, report_head
from liaison_graph.api.output import _committee_cell, committee_labels, table
from liaison_graph.api.verbs import persons as verbs
from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.scope import WHOLE


@click.group()
def persons():
    """人员：同一个人在不同届次、不同政协的委员记录（人员编号），可能是同一人的记录，以及确认或分开。"""


def _question(name: str, verb, text, about: str) -> None:
    """A question about the people of a committee and those below it, as text or JSON."""

    @persons.command(name, help=about)
    @click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
    @click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
    @format_option("table", "json")
    @store_options
    def ask(committee_id, as_of, fmt, store_config):
        with open_store(store_config) as store:
            committee_id = committee_of(store, WHOLE, committee_id)
            result = verb(store, WHOLE, parse_day(as_of), committee_id)
            labels = committee_labels(store.committees())
            head = report_head(store, fmt, committee_id)
        say(fmt, result, head, lambda r: text(r, labels))


def _answer(name: str, verb, about: str, said) -> None:
    """The office's answer to a proposal: a write of the records named."""

    @persons.command(name, help=about)
    @click.argument("member_ids", nargs=-1, required=True, metavar="MEMBER...")
    @store_options
    def answer(member_ids, store_config):
        with open_store(store_config, write=True) as store:
            item = verb(store, WHOLE, list(member_ids))["item"]
        click.echo(said(item))


def _records(records: list[dict], labels: dict[str, str]) -> str:
    return "；".join(f"{_committee_cell(labels, r['committee_id'])}（{r['id']}，{r.get('start_date') or '不详'} 至 "
                    f"{r.get('end_date') or '今'}）" for r in records)


def persons_text(r: dict, labels: dict[str, str]) -> str:
    lines = [f"人员（截至 {r['as_of']}）：在任委员记录 {r['members']} 条，{r['people']} 人", ""]
    lines.append(table(["政协", "在任委员记录", "人数"], [[_committee_cell(labels, c["key"]), str(c["members"]), str(c["people"])]
                                                  for c in r["by_committee"]]))
    lines += ["", f"有多条委员记录的人员（{len(r['persons'])}）"]
    lines += [f"- {p['name']}（人员编号 {p['person_id']}）：{_records(p['records'], labels)}" for p in r["persons"]] or ["无"]
    return "\n".join(lines)


def matches_text(r: dict, labels: dict[str, str]) -> str:
    lines = [f"可能是同一人的委员记录（{r['count']} 组）"]
    for m in r["matches"]:
        lines.append(f"- {m['name']}（{m['reason']}）：{_records(m['records'], labels)}")
        lines.append(f"  确认：liaison persons link {' '.join(x['id'] for x in m['records'])}")
    return "\n".join(lines if r["matches"] else lines + ["无"])


_question("list", verbs.persons, persons_text, "在任委员记录数与人数（一人多处任职只算一人），以及有多条委员记录的人员。")
_question("match", verbs.matches, matches_text,
          "可能是同一人的委员记录（同名、同性别、同界别，同一政协或上下级政协），供确认（persons link）或分开（persons separate）。")
_answer("link", verbs.link, "确认这些委员记录是同一人：写入同一个人员编号。",
        lambda i: f"已确认为同一人（人员编号 {next(iter(i['person_ids'].values()))}）：{'、'.join(i['member_ids'])}")
_answer("separate", verbs.separate, "确认这些委员记录不是同一人：各用自己的人员编号，不再提示。",
        lambda i: f"已分开为不同的人：{'、'.join(i['member_ids'])}")
