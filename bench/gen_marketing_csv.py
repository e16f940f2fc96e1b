#!/usr/bin/env python3
"""Write a deterministic marketing CSV for the import benchmark.

usage: gen_marketing_csv.py OUT.csv [ROWS]   (default 1,000,000 rows, ~150 MB)

Quoted commas, doubled quotes, embedded newlines (CRLF line ends inside some
quoted bodies), Chinese and English copy, integers, reals, ISO dates, empty
fields. Same seed, same bytes.
"""
import random
import sys

def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rnd = random.Random(20261129)
    cities = ["上海", "北京", "杭州", "深圳", "成都", "London", "New York", "Berlin", "Paris", "Toronto"]
    regions = ["East", "North", "South", "West", "Intl"]
    channels = ["email", "wechat", "sms", "social", "search", "display"]
    first = ["Ann", "Bo", "Chen", "Dana", "Eli", "Fang", "Gus", "Hui", "Ivy", "Jun", "Kai", "Lin"]
    last = ["Li", "Wang", "Zhang", "Smith", "Jones", "Liu", "Chen", "Brown", "Zhao", "Wu"]
    heads = ["Spring tea, picked at dawn", "Your cup, your ritual", "明前龙井，限量上新",
             "Save 20%, this week only", "A gift they will \"actually\" use", "春茶礼盒，送礼首选",
             "Free shipping, no minimum", "新客专享，首单立减"]
    bodies = ["Hand-picked, slow roasted.\nTaste the difference.",
              "茶园位于西湖畔，\n手工采摘。",
              "Limited stock, \"first come\".",
              "Brew at 80°C. 清香回甘。",
              "Join 10,000 tea lovers.\r\nUnsubscribe anytime.",
              "三分钟，\n一杯好茶。"]
    def q(s):
        if any(c in s for c in ',"\n\r'):
            return '"' + s.replace('"', '""') + '"'
        return s
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("id,name,email,city,region,channel,signup_date,age,impressions,clicks,"
                "conversions,revenue,headline,body\n")
        w = f.write
        for i in range(1, rows + 1):
            fn, ln = rnd.choice(first), rnd.choice(last)
            imp = rnd.randint(100, 100000)
            clicks = rnd.randint(0, imp // 10)
            conv = rnd.randint(0, clicks // 5 + 1)
            rev = round(conv * rnd.uniform(10, 300), 2)
            age = "" if i % 17 == 0 else str(rnd.randint(18, 80))
            date = "2025-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28))
            w("%d,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%.2f,%s,%s\n" % (
                i, q(fn + " " + ln), "%s%d@example.com" % (fn.lower(), i),
                q(rnd.choice(cities)), rnd.choice(regions), rnd.choice(channels), date, age,
                imp, clicks, conv, rev, q(rnd.choice(heads)), q(rnd.choice(bodies))))

if __name__ == "__main__":
    main()
