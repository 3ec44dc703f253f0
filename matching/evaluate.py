"""Evaluate the matcher on a graded set: ``python -m matching.evaluate [--set PATH] [--json]``.

The set is a command-line input plus ``"judgements": {request: {offer: grade}}`` with grade 2
(strong fit), 1 (partial fit) or 0 (not a fit); unlisted offers count as 0, and a request
judged ``{}`` (or with no grade >= 1) is *unanswerable*. Requests without judgements are left
out of every figure. Definitions (over judged requests):

- recall@k: share of answerable requests with a fitting offer (grade >= 1) among their first k
  ranked offers.
- nDCG@5: mean over answerable requests of DCG@5 / ideal DCG@5, gain 2**grade - 1, discount
  log2(rank + 1); the ideal ranks all the request's judged offers by grade.
- pair precision: share of suggested pairs (of judged requests) whose offer is a fit.
- pair recall: share of answerable requests that were given a fitting pair.
- unanswerable assigned: pairs suggested for unanswerable requests (should be 0).
- self pairs, capacity breaches, exclusion breaches, format breaches, requests with several
  pairs: rule violations in the output (all should be 0).
- semantic: whether the optional semantic extra was used ("on" or "off").
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from matching.engine import Matcher
from matching.schema import InputError, Problem, validate

__all__ = ["evaluate", "load_set", "ndcg_at", "rule_violations"]


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """nDCG@k of a ranked list of offer ids against graded judgements (gain 2**g - 1)."""
    dcg = sum(
        (2 ** grades.get(o, 0) - 1) / math.log2(i + 2) for i, o in enumerate(ranked[:k])
    )
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def rule_violations(problem: Problem, output: Mapping[str, Any]) -> dict[str, int]:
    """Counts of hard-rule breaches in an output dict (all zero for a correct matcher)."""
    offers = {o.id: o for o in problem.offers}
    requests = {r.id: r for r in problem.requests}
    counts = {"self_pairs": 0, "capacity_breaches": 0, "exclusion_breaches": 0,
              "format_breaches": 0, "requests_with_several_pairs": 0, "unknown_ids": 0}
    used: dict[str, int] = {}
    per_request: dict[str, int] = {}
    listed = [(p["request"], p["offer"]) for p in output["pairs"]]
    listed += [(r, item["offer"]) for r, items in output["ranked"].items() for item in items]
    for r_id, o_id in listed:
        r, o = requests.get(r_id), offers.get(o_id)
        if r is None or o is None:
            counts["unknown_ids"] += 1
            continue
        counts["self_pairs"] += r.school == o.school
        counts["exclusion_breaches"] += (r_id, o_id) in problem.exclude
        counts["format_breaches"] += {r.format, o.format} == {"in_person", "remote"}
    for p in output["pairs"]:
        used[p["offer"]] = used.get(p["offer"], 0) + 1
        per_request[p["request"]] = per_request.get(p["request"], 0) + 1
    counts["capacity_breaches"] = sum(
        1 for o_id, n in used.items() if o_id in offers and n > offers[o_id].capacity
    )
    counts["requests_with_several_pairs"] = sum(1 for n in per_request.values() if n > 1)
    return counts


def load_set(path: str | Path | None = None) -> dict[str, Any]:
    """The evaluation set as a dict (default: matching/data/eval_set.json)."""
    if path is None:
        text = resources.files("matching").joinpath("data/eval_set.json").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return json.loads(text)


def evaluate(
    data: Mapping[str, Any], matcher: Matcher | None = None, **params: Any
) -> dict[str, Any]:
    """Figures for a graded set (see the module docstring for definitions)."""
    judgements: Mapping[str, Mapping[str, int]] = data.get("judgements") or {}
    problem = validate({k: v for k, v in data.items() if k != "judgements"})
    model = matcher if matcher is not None else Matcher(**params)
    output = model.fit_predict(problem, top=5)
    judged = {r.id for r in problem.requests if r.id in judgements}
    answerable = {r for r in judged if any(g >= 1 for g in judgements[r].values())}

    def hit(r: str, k: int) -> bool:
        return any(judgements[r].get(item["offer"], 0) >= 1 for item in output["ranked"][r][:k])

    def share(n: int, d: int) -> float:
        return round(n / d, 4) if d else 0.0

    pairs = [p for p in output["pairs"] if p["request"] in judged]
    good_pairs = [p for p in pairs if judgements[p["request"]].get(p["offer"], 0) >= 1]
    ndcg = [ndcg_at([i["offer"] for i in output["ranked"][r]], judgements[r], 5)
            for r in answerable]
    figures: dict[str, Any] = {
        "requests_judged": len(judged),
        "answerable": len(answerable),
        "unanswerable": len(judged - answerable),
        "offers": len(problem.offers),
        "recall@1": share(sum(hit(r, 1) for r in answerable), len(answerable)),
        "recall@3": share(sum(hit(r, 3) for r in answerable), len(answerable)),
        "ndcg@5": round(sum(ndcg) / len(ndcg), 4) if ndcg else 0.0,
        "pairs": len(pairs),
        "pair_precision": share(len(good_pairs), len(pairs)),
        "pair_recall": share(len({p["request"] for p in good_pairs}), len(answerable)),
        "unanswerable_assigned": sum(1 for p in pairs if p["request"] not in answerable),
    }
    figures.update(rule_violations(problem, output))
    figures["semantic"] = "on" if model.semantic_ else "off"
    figures["_output"] = output
    return figures


def _misses(data: Mapping[str, Any], figures: Mapping[str, Any]) -> list[str]:
    """Human-readable lines for requests the matcher got wrong (for error analysis)."""
    judgements = data.get("judgements") or {}
    offers = {o["id"]: o for o in data["offers"]}
    output = figures["_output"]
    pairs = {p["request"]: p for p in output["pairs"]}
    lines = []
    for req in data["requests"]:
        grades = judgements.get(req["id"])
        if grades is None:
            continue
        ranked = output["ranked"][req["id"]]
        answerable = any(g >= 1 for g in grades.values())
        top1 = ranked[0]["offer"] if ranked else None
        pair = pairs.get(req["id"])
        bad_pair = pair is not None and grades.get(pair["offer"], 0) < 1
        if not answerable and pair is None:
            continue
        if answerable and top1 is not None and grades.get(top1, 0) >= 1 and not bad_pair \
                and pair is not None:
            continue
        lines.append(f"- {req['id']} {req['title']!r} tags={req.get('tags')} "
                     f"fmt={req['format']} grades={grades}")
        for item in ranked[:3]:
            o = offers[item["offer"]]
            lines.append(f"    {item['score']:.3f} g={grades.get(o['id'], 0)} {o['id']} "
                         f"{o['title']!r} {item['reasons'][:2]}")
        if pair is None:
            unmatched = [u for u in output["unmatched"] if u["request"] == req["id"]]
            lines.append(f"    unmatched: {unmatched[0]['reason'] if unmatched else '?'}")
        elif bad_pair:
            lines.append(f"    BAD PAIR {pair['offer']} {pair['score']}")
        for o_id, g in grades.items():
            if g >= 1 and o_id not in [i["offer"] for i in ranked[:3]]:
                o = offers.get(o_id, {})
                lines.append(f"    missed g={g} {o_id} {o.get('title')!r} tags={o.get('tags')}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation figures; exit 2 if the set is malformed."""
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate",
                                     description="Evaluate the matcher on a graded set.")
    parser.add_argument("--set", dest="path",
                        help="graded set (default matching/data/eval_set.json)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list the requests it got wrong")
    parser.add_argument("--semantic", choices=("auto", "on", "off"), default="auto",
                        help="use the optional semantic extra: auto (when installed), on, off")
    args = parser.parse_args(argv)
    try:
        data = load_set(args.path)
        figures = evaluate(data, semantic=args.semantic)
    except (OSError, json.JSONDecodeError, InputError, ImportError) as exc:
        print(f"{args.path or 'eval_set.json'}: {exc}", file=sys.stderr)
        return 2
    shown = {k: v for k, v in figures.items() if not k.startswith("_")}
    if args.json:
        print(json.dumps(shown, indent=2))
    else:
        width = max(len(k) for k in shown)
        for key, value in shown.items():
            print(f"{key:<{width}}  {value}")
    if args.misses:
        print("\n".join(_misses(data, figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
