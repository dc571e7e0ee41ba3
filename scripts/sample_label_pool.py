"""Draw the pools of unlabeled posts that annotators read for data/labels/.

Keyword lists here only *select candidates* so that rare trust dimensions are
over-represented in what people read; they never produce labels. Every pool is
seeded, so the same ids come out on every run.

    python scripts/sample_label_pool.py --shared ../shared/data --out /tmp/pools             # round v2
    python scripts/sample_label_pool.py --round v3 --out /tmp/pools3                         # round v3
    python scripts/sample_label_pool.py --round v4 --out /tmp/pools4                         # round v4
    python scripts/sample_label_pool.py --round v5 --out /tmp/pools5                         # round v5
    python scripts/sample_label_pool.py --round v6 --out /tmp/pools6                         # round v6
    python scripts/sample_label_pool.py --round v7 --out /tmp/pools7                         # round v7
    python scripts/sample_label_pool.py --round v8 --out /tmp/pools8                         # round v8
    python scripts/sample_label_pool.py --round v9 --out /tmp/pools9                         # round v9
    python scripts/sample_label_pool.py --round v10 --out /tmp/pools10                       # round v10
    python scripts/sample_label_pool.py --round v11 --out /tmp/pools11                       # round v11
    python scripts/sample_label_pool.py --round v12 --out /tmp/pools12                       # round v12

Round v3 reads where the v2 model was weakest (content and interaction trust), skipping
every post already labeled: 5 batches for first readings and a 150-post second-reading sample.
Round v4 reads content trust only, with sharper cues for its rarest classes: the listing or
photos matching reality (pos), and questions about or plain mentions of descriptions,
reviews, influencers and adverts (neu) — content neu had 42 posts in all earlier rounds.
Round v5 reads livestream chat and danmaku, the domains with the fewest labeled posts (~700 of
4,500 train rows): requests and complaints to the host, questions about the goods, and chatter.
Round v6 reads content trust again for its rare classes: questions about and plain mentions of
the information (neu) and the information confirmed (pos), with a share of Weibo posts.
Round v7 reads three patterns the model misreads across domains: complaints phrased as
questions, litotes (a negated negative word), and posts judging the information and the goods
together.
Round v8 reads brand trust and its rarest class, neu (dev F1 0.34 on 45 posts, the weakest class
of any head): questions about the goods or the brand (正品吗, 质量怎么样, 值得买吗), middling or
mixed verdicts (一般, 还行, 中规中矩, 一分钱一分货), and posts naming a brand from
lexicons/brands.csv, most of them social posts and chat, where brand trust is least labeled.
Round v9 reads the rarest class of interaction and of content, neu: questions to the seller,
service or host (发什么快递?, 能退吗?, 几号链接?), mixed accounts of the service, and the v6
content-neu cues in every source.
Round v10 reads the social and chat sources at random (Weibo, COVID Weibo, danmaku, livestream
chat), whose three-class sentiment is the weakest on dev.
Round v11 reads the review sources at random (shopping corpus, EPRSTMT, aspect sets), so that the
labeled reviews carry the feeds' real mix and not only cue-chosen trust talk.
Round v12 reads only posts whose fixed split is dev or test, drawn over every source by all the
earlier cues plus a random share: the rare classes (neu of every trust head: 12–61 posts each on
dev and test) decide macro-F1, and model choice on dev and the comparison on test turned on 2–3
of them. It adds no training rows.
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

COMMERCE = re.compile(
    r"买|购|店|商家|客服|快递|物流|发货|退|换货|质量|正品|假货|价格|便宜|贵|品牌|产品|"
    r"广告|推荐|种草|测评|主播|链接|直播间|下单|包装|售后|宣传|评价|好评|差评|优惠|福袋|上车"
)


def read_jsonl(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            yield line_number, json.loads(line)


def pick(rng: random.Random, rows: list, n_keyword: int, n_random: int) -> list:
    """n_keyword rows whose text matches COMMERCE, then n_random of the rest."""
    keyword = [r for r in rows if COMMERCE.search(r["text"])]
    chosen = rng.sample(keyword, min(n_keyword, len(keyword)))
    taken = {r["id"] for r in chosen}
    rest = [r for r in rows if r["id"] not in taken]
    chosen += rng.sample(rest, min(n_random, len(rest)))
    rng.shuffle(chosen)
    return chosen


def short_enough(text: str) -> bool:
    return 2 <= len(text) <= 300


CONTENT_CUES = re.compile(r"描述|图片|图文|实物|照片|色差|评价|好评|差评|刷单|刷的|水军|博主|测评|种草|广告|宣传|恰饭|"
                          r"软广|主播说|说好的|赠品|承诺|详情页|买家秀|卖家秀|推荐|攻略|虚假|骗")
INTERACTION_CUES = re.compile(r"客服|售后|物流|快递|发货|退款|退货|换货|主播|回复|不理|链接|福袋|态度")
V3_PLAN = {  # source: (content-cue posts, interaction-cue posts, random posts)
    "online_shopping_10_cats": (150, 40, 10),
    "eprstmt_unlabeled": (130, 40, 30),
    "weibo_senti_part": (120, 30, 50),
    "douyin_livechat": (40, 80, 80),
    "bilibili_danmaku": (40, 20, 40),
}


def sample_v3(shared: Path, out: Path, seed: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ugc_trust.model import corpora, labels

    # Posts labeled before round 3 (v3's own ids are not excluded, so the draw reproduces).
    v3 = labels.LABELS_DIR / "trust_v3_pools.jsonl"
    v3_ids = {json.loads(line)["id"] for line in v3.open(encoding="utf-8")} if v3.exists() else set()
    seen = {e["id"] for e in labels.trust_examples(shared)} - v3_ids
    rng = random.Random(seed)
    sources = {
        "online_shopping_10_cats": corpora.shopping_reviews(shared),
        "eprstmt_unlabeled": corpora.unlabeled("eprstmt_unlabeled_reviews", shared),
        "weibo_senti_part": corpora.weibo_sentiment(shared),
        "douyin_livechat": corpora.unlabeled("douyin_livechat", shared),
        "bilibili_danmaku": corpora.unlabeled("bilibili_danmaku", shared),
    }
    chosen = []
    for source, (n_content, n_interaction, n_random) in V3_PLAN.items():
        rows = [r for r in sources[source] if r["id"] not in seen and 4 <= len(r["text"]) <= 160]
        content = [r for r in rows if CONTENT_CUES.search(r["text"])]
        picked = rng.sample(content, min(n_content, len(content)))
        taken = {r["id"] for r in picked}
        cues = [r for r in rows if INTERACTION_CUES.search(r["text"]) and r["id"] not in taken]
        picked += rng.sample(cues, min(n_interaction, len(cues)))
        taken |= {r["id"] for r in picked}
        picked += rng.sample([r for r in rows if r["id"] not in taken], n_random)
        chosen += [{"id": r["id"], "source": source, "text": r["text"]} for r in picked]
        print(f"{source}: {len(picked)}")
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    batches = {f"batch_{k}": chosen[k::5] for k in range(5)}
    batches["second"] = rng.sample(chosen, 150)
    for name, rows in batches.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


# Round v4: content trust. Sharper than CONTENT_CUES: a match / mismatch with the listing,
# reviews or an influencer, or a question about whether the information is true.
CONTENT_MATCH = re.compile(r"(与|和|跟|同)(描述|图片|图上|照片|宣传|介绍|详情|视频|主播说的|博主说的|评价|评论|说的)[^，。！？,.!?]{0,4}"
                           r"(一样|一致|相符|相同|不符|不一样|不同|差不多|有出入|有差距)|如描述|名副其实|货真价实|"
                           r"色差|买家秀|卖家秀|图文不符|货不对板|实物(比|和|与|跟)?图|没骗人|骗人|夸张|真实")
CONTENT_QUESTION = re.compile(r"(是真的|真的假的|靠谱|可信|准不准|一样|色差|正品)吗|真的假的|是不是(刷|托|水军|广告)|"
                              r"(看|信)了?(评论|评价|好评|测评|博主|主播|推荐|攻略|广告)|(评论|评价|好评|差评|测评)(里|区|说|都)|"
                              r"(博主|主播|达人|网红|明星|广告|宣传|详情页|客服)(说|推荐|介绍|讲|承诺)|种草|拔草|踩雷|恰饭|软广|广告|"
                              r"刷单|刷好评|刷的|水军|托儿|价保|先涨价|降价|赠品|说好的")
V4_PLAN = {  # source: (match-cue posts, question/mention-cue posts)
    "online_shopping_10_cats": (200, 150),
    "eprstmt_unlabeled": (110, 110),
    "aspects": (80, 60),
    "douyin_livechat": (20, 110),
    "weibo_senti_part": (40, 100),
}


def sample_v4(shared: Path, out: Path, seed: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ugc_trust.model import corpora, labels

    v4 = labels.LABELS_DIR / "trust_v4_pools.jsonl"
    v4_ids = {json.loads(line)["id"] for line in v4.open(encoding="utf-8")} if v4.exists() else set()
    seen = {e["id"] for e in labels.trust_examples(shared)} - v4_ids
    rng = random.Random(seed)
    sources = {
        "online_shopping_10_cats": corpora.shopping_reviews(shared),
        "eprstmt_unlabeled": corpora.unlabeled("eprstmt_unlabeled_reviews", shared),
        "aspects": corpora.aspect_sentences(shared),
        "douyin_livechat": corpora.unlabeled("douyin_livechat", shared),
        "weibo_senti_part": corpora.weibo_sentiment(shared),
    }
    chosen = []
    for source, (n_match, n_question) in V4_PLAN.items():
        rows = [r for r in sources[source] if r["id"] not in seen and 4 <= len(r["text"]) <= 160]
        matches = [r for r in rows if CONTENT_MATCH.search(r["text"])]
        picked = rng.sample(matches, min(n_match, len(matches)))
        taken = {r["id"] for r in picked}
        questions = [r for r in rows if CONTENT_QUESTION.search(r["text"]) and r["id"] not in taken]
        picked += rng.sample(questions, min(n_question, len(questions)))
        chosen += [{"id": r["id"], "text": r["text"],  # aspect ids are absa-<set>-<split>-L<line>
                    "source": f"absa_{r['id'].split('-')[1]}" if source == "aspects" else source} for r in picked]
        print(f"{source}: {len(picked)} (of {len(matches)} match-cue and {len(questions)} question-cue posts)")
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    batches = {f"batch_{k}": chosen[k::5] for k in range(5)}
    batches["second"] = rng.sample(chosen, 150)
    for name, rows in batches.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


# Round v5: chat. Messages addressed to the host or about the goods and the shop, and the rest.
CHAT_CUES = re.compile(r"主播|怎么|为什么|咋|只会|不理|不回|回答|回复|链接|上车|福袋|发货|客服|退|骗|坑|假|正品|质量|"
                       r"好用|价格|多少钱|便宜|贵|买|下单|拍了|到货|尺码|色号")
V5_PLAN = {"douyin_livechat": (200, 100), "bilibili_danmaku": (60, 90)}  # source: (cue posts, random posts)


def sample_v5(shared: Path, out: Path, seed: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ugc_trust.model import corpora, labels

    v5 = labels.LABELS_DIR / "trust_v5_pools.jsonl"
    v5_ids = {json.loads(line)["id"] for line in v5.open(encoding="utf-8")} if v5.exists() else set()
    seen = {e["id"] for e in labels.trust_examples(shared)} - v5_ids
    rng = random.Random(seed)
    chosen = []
    for source, (n_cue, n_random) in V5_PLAN.items():
        rows = [r for r in corpora.unlabeled(source, shared) if r["id"] not in seen and 2 <= len(r["text"]) <= 160]
        cued = [r for r in rows if CHAT_CUES.search(r["text"])]
        picked = rng.sample(cued, min(n_cue, len(cued)))
        taken = {r["id"] for r in picked}
        picked += rng.sample([r for r in rows if r["id"] not in taken], n_random)
        chosen += [{"id": r["id"], "source": source, "text": r["text"]} for r in picked]
        print(f"{source}: {len(picked)} (of {len(cued)} cue posts)")
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    batches = {f"batch_{k}": chosen[k::3] for k in range(3)}
    batches["second"] = rng.sample(chosen, 100)
    for name, rows in batches.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


# Round v6: content trust again, aimed at its two rare classes. Neu: a question about, or a
# plain mention of, the listing / photos / reviews / an influencer or host, with no verdict;
# pos: the information confirmed. Sources with the weakest test scores (social posts) get a
# share. (Content neu had 92 posts after round 5; content macro-F1 turns on it.)
CONTENT_NEU_CUES = re.compile(
    r"(图片|照片|描述|详情|介绍|视频|评价|评论|好评|测评|博主|主播|达人|宣传|广告|买家秀)[^。！!]{0,10}(吗|呢|？|\?)|"
    r"(是真的|真的假的|靠谱|可信|准不准|一样|一致|真实)[吗嘛么]|"
    r"(看了?|看到|冲着|因为|听|跟着|根据)[^，。！？,.!?]{0,4}(评价|评论|好评|测评|博主|主播|推荐|攻略|广告|介绍|视频|直播)|"
    r"(博主|主播|达人|网红|朋友|闺蜜|同事)[^，。！？,.!?]{0,3}(推荐|安利|种草|介绍)")
CONTENT_POS_CUES = re.compile(
    r"(与|和|跟|同)(描述|图片|图上|照片|宣传|介绍|详情|视频|主播说的|博主说的|评价|评论|说的)[^，。！？,.!?]{0,4}"
    r"(一样|一致|相符|相同|差不多|无差|没差)|如描述|如图|没有?色差|名副其实|名不虚传|货真价实|没骗人|不是刷的|"
    r"(评价|好评|测评|推荐)[^，。！？,.!?]{0,4}(没错|不假|靠谱|诚不欺我|是真的)|果然(好|不错|没让)|没踩雷|没有踩雷")
V6_PLAN = {  # source: (neu-cue posts, pos-cue posts)
    "online_shopping_10_cats": (120, 80),
    "eprstmt_unlabeled": (90, 60),
    "aspects": (50, 40),
    "weibo_senti_part": (100, 20),
    "douyin_livechat": (60, 0),
}


def sample_v6(shared: Path, out: Path, seed: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ugc_trust.model import corpora, labels

    v6 = labels.LABELS_DIR / "trust_v6_pools.jsonl"
    v6_ids = {json.loads(line)["id"] for line in v6.open(encoding="utf-8")} if v6.exists() else set()
    seen = {e["id"] for e in labels.trust_examples(shared)} - v6_ids
    rng = random.Random(seed)
    sources = {
        "online_shopping_10_cats": corpora.shopping_reviews(shared),
        "eprstmt_unlabeled": corpora.unlabeled("eprstmt_unlabeled_reviews", shared),
        "aspects": corpora.aspect_sentences(shared),
        "weibo_senti_part": corpora.weibo_sentiment(shared),
        "douyin_livechat": corpora.unlabeled("douyin_livechat", shared),
    }
    chosen = []
    for source, (n_neu, n_pos) in V6_PLAN.items():
        rows = [r for r in sources[source] if r["id"] not in seen and 4 <= len(r["text"]) <= 160]
        neutral = [r for r in rows if CONTENT_NEU_CUES.search(r["text"])]
        picked = rng.sample(neutral, min(n_neu, len(neutral)))
        taken = {r["id"] for r in picked}
        positive = [r for r in rows if CONTENT_POS_CUES.search(r["text"]) and r["id"] not in taken]
        picked += rng.sample(positive, min(n_pos, len(positive)))
        chosen += [{"id": r["id"], "text": r["text"],
                    "source": f"absa_{r['id'].split('-')[1]}" if source == "aspects" else source} for r in picked]
        print(f"{source}: {len(picked)} (of {len(neutral)} neu-cue and {len(positive)} pos-cue posts)")
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    batches = {f"batch_{k}": chosen[k::5] for k in range(5)}
    batches["second"] = rng.sample(chosen, 120)
    for name, rows in batches.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


# Round v7: three kinds of post the model misreads in general, each a linguistic pattern
# rather than a topic. (1) Complaints phrased as questions, mostly at a host, the service or
# the merchant (怎么还不发货, 为什么不回, 主播能不能…): read as neutral questions, they are
# usually negative. (2) Litotes, a negated negative word (没骗人, 不坑, 没踩雷, 不后悔): the
# n-gram polarity model sees the negative word. (3) Posts that judge the information and the
# goods in one breath (好评是刷的 + the goods' quality): brand is often read as absent there.
# Only 103 labeled posts matched (1) and 23 matched (2) before this round.
COMPLAINT_QUESTION_CUES = re.compile(
    r"(怎么|为什么|为啥|咋|凭什么|啥时候|什么时候|到底)[^，。！？,.!?]{0,4}(不|没|还|才)|"
    r"(能不能|可不可以|会不会|有没有人)[^，。！？,.!?]{0,8}(回|理|管|发|处理|解决|说|答|看)")
LITOTES_CUES = re.compile(
    r"没(有)?骗|不坑|没坑|没(有)?踩雷|不踩雷|不后悔|没(有)?后悔|没(有)?失望|没让.{0,2}失望|不(是)?假|"
    r"没毛病|不亏|没(有)?吃亏|不差|没(有)?差评|不是智商税|不(是)?刷的|没(有)?夸张")
INFO_AND_GOODS_CUES = re.compile(
    r"(刷单|刷的|好评|差评|评价|评论|描述|图片|宣传|广告|博主|主播说|买家秀|详情)[^。！？!?]{0,24}"
    r"(质量|做工|粗糙|材质|用料|实物|效果|好用|难用|味道|手感|做得|线头|起球|掉色)|"
    r"(质量|做工|粗糙|材质|用料|效果|好用|难用|味道|手感|线头|起球|掉色)[^。！？!?]{0,24}"
    r"(刷单|刷的|好评|差评|评价|评论|描述|图片|宣传|广告|博主|主播说|买家秀|详情)")
V7_PLAN = {  # source: (complaint-question posts, litotes posts, information-and-goods posts)
    "douyin_livechat": (40, 3, 0),   # round v5 already read most of its questions
    "bilibili_danmaku": (60, 10, 0),
    "weibo_senti_part": (60, 13, 1),
    "online_shopping_10_cats": (40, 50, 80),
    "eprstmt_unlabeled": (30, 30, 50),
    "aspects": (10, 20, 20),
}


def sample_v7(shared: Path, out: Path, seed: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ugc_trust.model import corpora, labels

    v7 = labels.LABELS_DIR / "trust_v7_pools.jsonl"
    v7_ids = {json.loads(line)["id"] for line in v7.open(encoding="utf-8")} if v7.exists() else set()
    seen = {e["id"] for e in labels.trust_examples(shared)} - v7_ids
    rng = random.Random(seed)
    sources = {
        "douyin_livechat": corpora.unlabeled("douyin_livechat", shared),
        "bilibili_danmaku": corpora.unlabeled("bilibili_danmaku", shared),
        "weibo_senti_part": corpora.weibo_sentiment(shared),
        "online_shopping_10_cats": corpora.shopping_reviews(shared),
        "eprstmt_unlabeled": corpora.unlabeled("eprstmt_unlabeled_reviews", shared),
        "aspects": corpora.aspect_sentences(shared),
    }
    chosen = []
    for source, counts in V7_PLAN.items():
        rows = [r for r in sources[source] if r["id"] not in seen and 4 <= len(r["text"]) <= 160]
        picked: list = []
        sizes = []
        for cues, n in zip((COMPLAINT_QUESTION_CUES, LITOTES_CUES, INFO_AND_GOODS_CUES), counts):
            taken = {r["id"] for r in picked}
            matching = [r for r in rows if r["id"] not in taken and cues.search(r["text"])]
            sizes.append(len(matching))
            picked += rng.sample(matching, min(n, len(matching)))
        chosen += [{"id": r["id"], "text": r["text"],
                    "source": f"absa_{r['id'].split('-')[1]}" if source == "aspects" else source} for r in picked]
        print(f"{source}: {len(picked)} (of {sizes[0]} question, {sizes[1]} litotes, {sizes[2]} info+goods posts)")
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    batches = {f"batch_{k}": chosen[k::5] for k in range(5)}
    batches["second"] = rng.sample(chosen, 120)
    for name, rows in batches.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


# Round v8: brand trust and its rarest class, neu, across domains. (1) Questions about the
# goods or the brand — authenticity, quality, value, durability — with no verdict. (2) Middling
# or mixed verdicts on the goods (一般, 还行, 凑合, 中规中矩, 一分钱一分货). (3) Posts that name a
# brand of lexicons/brands.csv, mostly social posts and chat: brand reputation, donations,
# controversies, loyalty. Before this round brand neu had ~300 labeled posts in all.
BRAND_QUESTION_CUES = re.compile(
    r"正品[吗嘛么]|是不是正品|是真的[吗嘛么]|真的假的|假货[吗嘛么]|"
    r"(质量|做工|效果|味道|手感|材质|口感|音质|续航|尺码|版型)[^，。！？,.!?]{0,3}(怎么样|咋样|如何|好[吗嘛么]|行[吗嘛么]|可以[吗嘛么])|"
    r"(好用|好吃|好穿|耐用|值得|值不值|划算|靠谱|起球|掉色|过敏|会坏)[^，。！？,.!?]{0,2}[吗嘛么]|值不值|"
    r"有(没有)?人(买|用|吃|穿)过|(哪个|什么)(牌子|品牌)|(怎么样|咋样)[？?]")
MIDDLING_CUES = re.compile(
    r"一般般?|还行|凑合|中规中矩|马马虎虎|也就那样|不好不坏|还可以吧|差强人意|勉强|一分钱一分货|"
    r"有好有坏|优缺点|见仁见智|普普通通|没有?想象(中|的)|不算(太)?(好|差)|说不上(好|坏)|有待(观察|提高)")


def brand_mention_pattern() -> re.Pattern:
    """Every canonical name and alias of lexicons/brands.csv two characters or longer."""
    import csv

    names = set()
    with (Path(__file__).resolve().parents[1] / "lexicons" / "brands.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names.update(n for n in [row["canonical"], *row["aliases"].split("|")] if len(n) >= 2)
    return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))


V8_PLAN = {  # source: (question posts, middling posts, brand-name posts)
    "online_shopping_10_cats": (40, 60, 10),
    "eprstmt_unlabeled": (30, 40, 10),
    "aspects": (10, 30, 0),
    "weibo_senti_part": (25, 20, 45),
    "weibo_covid19_2020": (10, 5, 60),
    "douyin_livechat": (50, 10, 10),
    "bilibili_danmaku": (25, 10, 20),
}


def sample_by_cues(shared: Path, out: Path, seed: int, round_name: str, plan: dict, cues: tuple,
                   cue_names: tuple, n_second: int = 120, splits: tuple[str, ...] | None = None) -> None:
    """Per source of `plan` (source: one count per cue pattern), draw that many unlabeled posts
    matching each pattern in turn, skipping posts already labeled in other rounds (and, with
    `splits`, posts whose fixed split is not listed); deal them into 5 first-reading batches
    and a second-reading sample of `n_second`."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ugc_trust.model import corpora, labels

    own = labels.LABELS_DIR / f"trust_{round_name}_pools.jsonl"
    own_ids = {json.loads(line)["id"] for line in own.open(encoding="utf-8")} if own.exists() else set()
    seen = {e["id"] for e in labels.trust_examples(shared)} - own_ids
    rng = random.Random(seed)
    readers = {
        "online_shopping_10_cats": lambda: corpora.shopping_reviews(shared),
        "eprstmt_unlabeled": lambda: corpora.unlabeled("eprstmt_unlabeled_reviews", shared),
        "aspects": lambda: corpora.aspect_sentences(shared),
        "weibo_senti_part": lambda: corpora.weibo_sentiment(shared),
        "weibo_covid19_2020": lambda: corpora.unlabeled("weibo_covid19_2020", shared),
        "douyin_livechat": lambda: corpora.unlabeled("douyin_livechat", shared),
        "bilibili_danmaku": lambda: corpora.unlabeled("bilibili_danmaku", shared),
    }
    chosen = []
    for source, counts in plan.items():
        rows = [r for r in readers[source]() if r["id"] not in seen and 4 <= len(r["text"]) <= 160
                and (splits is None or corpora.split_of(r["id"]) in splits)]
        picked: list = []
        sizes = []
        for pattern, n in zip(cues, counts):
            taken = {r["id"] for r in picked}
            matching = [r for r in rows if r["id"] not in taken and pattern.search(r["text"])]
            sizes.append(len(matching))
            picked += rng.sample(matching, min(n, len(matching)))
        chosen += [{"id": r["id"], "text": r["text"],
                    "source": f"absa_{r['id'].split('-')[1]}" if source == "aspects" else source} for r in picked]
        print(f"{source}: {len(picked)} (of " + ", ".join(f"{n} {name}" for n, name in zip(sizes, cue_names))
              + " posts)")
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    batches = {f"batch_{k}": chosen[k::5] for k in range(5)}
    batches["second"] = rng.sample(chosen, n_second)
    for name, rows in batches.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")


def sample_v8(shared: Path, out: Path, seed: int) -> None:
    sample_by_cues(shared, out, seed, "v8", V8_PLAN, (BRAND_QUESTION_CUES, MIDDLING_CUES, brand_mention_pattern()),
                   ("question", "middling", "brand-name"))


# Round v9: the rarest class of interaction and of content, neu (dev F1 0.44 on 14 posts and
# 0.30 on 20). Interaction neu: a question to the seller, service or host about shipping,
# returns, links or giveaways, or a plain or mixed account of the service. Content neu: the
# v6 cues again (a question about, or a mention of, the listing, reviews or an influencer),
# now in the social and chat sources too.
SERVICE_QUESTION_CUES = re.compile(
    r"(发货|发什么快递|什么快递|哪家快递|几天(能)?到|多久(能)?到|什么时候(发|到)|能退|可以退|怎么退|退换|换货|运费|"
    r"包邮|上链接|几号链接|链接在哪|福袋|抽奖|客服|售后|保修|开发票|发票)[^。！!]{0,8}[吗嘛么呢？?]")
SERVICE_MIXED_CUES = re.compile(
    r"(物流|快递|发货|客服|售后|服务|包装|送货|配送)[^。！!]{0,12}(但|但是|就是|不过|可惜|只是)[^。！!]{0,12}"
    r"(物流|快递|发货|客服|售后|服务|包装|送货|配送|慢|快|破|态度)|"
    r"(物流|快递|客服|服务|配送)(一般|还行|凑合|中规中矩|正常)")
V9_PLAN = {  # source: (service-question posts, mixed-service posts, content-neu posts)
    "online_shopping_10_cats": (40, 80, 40),
    "eprstmt_unlabeled": (40, 50, 30),
    "aspects": (5, 40, 20),
    "weibo_senti_part": (10, 10, 10),  # earlier rounds read nearly all its matching posts
    "weibo_covid19_2020": (10, 5, 30),
    "douyin_livechat": (10, 5, 10),
    "bilibili_danmaku": (10, 5, 20),
}


def sample_v9(shared: Path, out: Path, seed: int) -> None:
    sample_by_cues(shared, out, seed, "v9", V9_PLAN, (SERVICE_QUESTION_CUES, SERVICE_MIXED_CUES, CONTENT_NEU_CUES),
                   ("service-question", "mixed-service", "content-neu"))


# Round v10: the social and chat domains at random, no cue words. On dev their three-class
# sentiment is the weakest of any domain (accuracy 0.68 on Weibo posts, 0.66 on danmaku,
# against 0.89 on reviews), and cue-driven rounds over-represent posts about goods; a random
# draw shows the model what those feeds mostly are — chatter, news, jokes, reactions.
ANY_TEXT = re.compile(r".")
V10_PLAN = {"weibo_senti_part": (120,), "weibo_covid19_2020": (130,), "bilibili_danmaku": (120,),
            "douyin_livechat": (80,)}


def sample_v10(shared: Path, out: Path, seed: int) -> None:
    sample_by_cues(shared, out, seed, "v10", V10_PLAN, (ANY_TEXT,), ("unread",))


# Round v11: the review sources at random, no cue words. Every earlier review round chose posts
# by cues, so the labeled reviews over-represent trust talk; the trust index adds up calibrated
# probabilities over whole feeds, and calibration is fitted and checked on labeled posts — a
# random draw puts the feed's real mix of plain, middling and off-topic reviews in train,
# dev and test.
V11_PLAN = {"online_shopping_10_cats": (160,), "eprstmt_unlabeled": (140,), "aspects": (100,)}


def sample_v11(shared: Path, out: Path, seed: int) -> None:
    sample_by_cues(shared, out, seed, "v11", V11_PLAN, (ANY_TEXT,), ("unread",))

# Round v12: posts of the dev and test splits only, for steadier model choice and comparison.
# Every earlier cue and a random share (the last count), so that the rare classes gain support
# without the evaluation sets drifting from the mix the earlier rounds gave them.
V12_CUES = (BRAND_QUESTION_CUES, MIDDLING_CUES, SERVICE_QUESTION_CUES, SERVICE_MIXED_CUES, CONTENT_NEU_CUES,
            CONTENT_CUES, INTERACTION_CUES, ANY_TEXT)
V12_PLAN = {  # source: (brand-question, middling, service-question, mixed-service, content-neu, content,
    #                    interaction, random)
    "online_shopping_10_cats": (15, 15, 15, 20, 15, 25, 25, 30),
    "eprstmt_unlabeled": (15, 15, 15, 15, 15, 20, 20, 25),
    "aspects": (5, 10, 5, 10, 10, 10, 10, 10),
    "weibo_senti_part": (5, 5, 3, 2, 5, 10, 5, 30),
    "weibo_covid19_2020": (5, 5, 5, 2, 10, 15, 5, 23),
    "douyin_livechat": (5, 5, 15, 3, 5, 5, 15, 45),
    "bilibili_danmaku": (5, 5, 5, 2, 5, 10, 5, 35),
}


def sample_v12(shared: Path, out: Path, seed: int) -> None:
    sample_by_cues(shared, out, seed, "v12", V12_PLAN, V12_CUES,
                   ("brand-question", "middling", "service-question", "mixed-service", "content-neu", "content",
                    "interaction", "random"), splits=("dev", "test"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=None,
                        help="default 20261123 (v2), 20261124 (v3), 20261125 (v4), 20261126 (v5), 20261127 (v6), 20261128 (v7), 20261129 (v8), 20261130 (v9), 20261201 (v10), 20261202 (v11), 20261203 (v12)")
    parser.add_argument("--round", choices=("v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12"), default="v2")
    args = parser.parse_args()
    if args.round == "v12":
        sample_v12(args.shared, args.out, args.seed or 20261203)
        return
    if args.round == "v11":
        sample_v11(args.shared, args.out, args.seed or 20261202)
        return
    if args.round == "v10":
        sample_v10(args.shared, args.out, args.seed or 20261201)
        return
    if args.round == "v9":
        sample_v9(args.shared, args.out, args.seed or 20261130)
        return
    if args.round == "v8":
        sample_v8(args.shared, args.out, args.seed or 20261129)
        return
    if args.round == "v7":
        sample_v7(args.shared, args.out, args.seed or 20261128)
        return
    if args.round == "v6":
        sample_v6(args.shared, args.out, args.seed or 20261127)
        return
    if args.round == "v5":
        sample_v5(args.shared, args.out, args.seed or 20261126)
        return
    if args.round == "v4":
        sample_v4(args.shared, args.out, args.seed or 20261125)
        return
    if args.round == "v3":
        sample_v3(args.shared, args.out, args.seed or 20261124)
        return
    args.seed = args.seed or 20261123
    rng = random.Random(args.seed)
    data = args.shared
    args.out.mkdir(parents=True, exist_ok=True)
    pools: dict[str, list] = {}

    rows = [dict(id=r["id"], text=r["text"], source="weibo_senti_part")
            for _, r in read_jsonl(data / "sentiment/weibo_senti_part.jsonl") if short_enough(r["text"])]
    pools["weibo_senti"] = pick(rng, rows, 120, 130)

    # The COVID Weibo file is large: a seeded reservoir of keyword and plain posts.
    keyword, plain = [], []
    for i, (_, r) in enumerate(read_jsonl(data / "text/weibo_covid19_2020.jsonl")):
        if not short_enough(r["text"]) or i % 7:
            continue
        (keyword if COMMERCE.search(r["text"]) else plain).append(
            dict(id=r["id"], text=r["text"], source="weibo_covid19_2020"))
    pools["weibo_covid"] = rng.sample(keyword, 150) + rng.sample(plain, 100)

    rows = [dict(id=r["id"], text=r["text"], source="bilibili_danmaku")
            for _, r in read_jsonl(data / "text/bilibili_danmaku.jsonl") if short_enough(r["text"])]
    pools["danmaku"] = pick(rng, rows, 80, 170)

    rows = [dict(id=r["id"], text=r["text"], source="douyin_livechat", room_id=r.get("room_id"))
            for _, r in read_jsonl(data / "text/douyin_livechat.jsonl") if short_enough(r["text"])]
    pools["livechat"] = pick(rng, rows, 150, 100)

    rows = [dict(id=r["id"], text=r["text"], source="eprstmt_unlabeled")
            for _, r in read_jsonl(data / "text/eprstmt_unlabeled_reviews.jsonl") if short_enough(r["text"])]
    pools["eprstmt"] = pick(rng, rows, 150, 100)

    # Aspect sets have no ids: a sentence is named by file and first line number.
    seen, rows = set(), []
    for line_number, r in read_jsonl(data / "aspects/hair.train.jsonl"):
        text = r["sentence"].replace(" ", "")
        if text not in seen and short_enough(text):
            seen.add(text)
            rows.append(dict(id=f"absa-hair-train-L{line_number}", text=text, source="absa_hair"))
    pools["hair"] = rng.sample(rows, 200)

    rows = []
    with (data / "aspects/restaurant_zhang_aste.train.txt").open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            text = line.split("####")[0].replace(" ", "")
            if short_enough(text):
                rows.append(dict(id=f"absa-rest-train-L{line_number}", text=text, source="absa_restaurant"))
    pools["restaurant"] = rng.sample(rows, 100)

    for name, rows in pools.items():
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)}")


if __name__ == "__main__":
    main()
