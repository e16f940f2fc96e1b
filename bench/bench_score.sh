#!/bin/sh
# Scoring speed: 10,000 bilingual variants through every heuristic scorer
# (channel fit, readability, sentiment, CTA, urgency, personalisation,
# numbers, question, emoji, deliverability, brand, compliance, claims against
# the sample catalogue), details built as `copylab score --json` builds them.
# Goal (issue 5): over 50,000 variants/s. Prints one JSON line.
set -eu
: "${COPYLAB:?}" "${COPYLAB_TOP:?}" "${BENCH_TMP:=$(mktemp -d)}"
dir="$BENCH_TMP/score"
mkdir -p "$dir"
texts="$dir/variants.txt"
db="$dir/score.db"
python3 - "$texts" <<'PY'
import random, sys
random.seed(7)
en_h = ["Spring Longjing is here", "Last chance: Biluochun 20% off", "Your calm morning cup",
        "New harvest, hand-picked on misty slopes", "Treat yourself to oolong", "Only 3 days left!",
        "Free shipping over $49", "Meet Shanlan's pu-erh", "The best tea we have ever picked"]
en_b = ["Brewed slowly from small farms. Shop now.",
        "A sweet, chestnut-scented cup that stays bright for three infusions. Learn more.",
        "Order today and save 15%. Reply STOP to opt out.",
        "Don't miss out: ends Sunday midnight. Buy now!", "Is your tea as fresh as ours? Try it today \U0001F375"]
zh_h = ["明前龙井上新", "限时8折，仅剩3天", "山里的好茶，慢慢喝", "您的专属春茶礼", "全网最低价！"]
zh_b = ["栗香鲜爽，三泡之后依然清甜。立即购买。", "满199元立减20元，活动今晚零点截止，抓紧下单。",
        "花果香浓郁，入口柔滑，非常好喝。了解更多。", "洞庭碧螺春9折，只要241.2元。回T退订"]
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        if i % 2:
            f.write(random.choice(en_h) + ". " + random.choice(en_b) + "\n")
        else:
            f.write(random.choice(zh_h) + "，" + random.choice(zh_b) + "\n")
PY
rm -f "$db"
"$COPYLAB" --db "$db" import "$COPYLAB_TOP/sample-data/data/products.csv" --table products >/dev/null
best=""
for i in 1 2 3; do
	out=$("$COPYLAB" --db "$db" score --batch "$texts" --summary --json --channel sms \
		--brand "$COPYLAB_TOP/sample-data/brand.json")
	ps=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["per_second"])')
	best=$(python3 -c "print(max(float('$ps'), float('${best:-0}')))")
done
python3 -c "
ps = float('$best')
import json
print(json.dumps({'bench': 'score', 'variants': 10000, 'scorers': 'all heuristic (13) with details, brand and claims on',
                  'variants_per_s': round(ps), 'seconds': round(10000 / ps, 4),
                  'goal_variants_per_s': 50000, 'ratio_to_goal': round(ps / 50000, 2)}))"
