import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ugc_trust import Normalizer, normalize, normalize_text


@pytest.fixture(scope="module")
def norm():
    return Normalizer()


@pytest.mark.parametrize("traditional, simplified", [
    ("這個軟體很好用", "这个软件很好用"),
    ("滑鼠壞了", "鼠标坏了"),
    ("網路很慢", "网络很慢"),
])
def test_taiwan_phrases_convert_at_phrase_level(traditional, simplified):
    assert normalize_text(traditional) == simplified


def test_script_detection(norm):
    assert norm("這個軟體很好用").script == "zh-TW"
    assert norm("呢個好正，唔該晒").script == "zh-HK"
    assert norm("这个很好用").script == "zh-Hans"
    # a declared variant wins over detection
    assert norm("這個軟體", lang="zh-HK").script == "zh-HK"
    assert norm("這個軟體", lang="zh-HK").text == "这个软体"


def test_full_width_letters_and_digits_become_half_width_but_chinese_punctuation_stays():
    assert normalize_text("ＡＢＣ１２３，好！") == "ABC123，好！"


def test_emoticons_map_to_stable_tokens_with_polarity(norm):
    a, b = norm("笑死[doge]"), norm("笑死[狗头]")
    assert a.text == b.text
    assert a.emoticons[0]["token"] == b.emoticons[0]["token"]
    smile = norm("好吧[微笑]").emoticons[0]
    assert smile["polarity"] in ("pos", "neu", "neg")
    assert norm("太好笑了😂").emoticons, "Unicode emoji are mapped too"


def test_unknown_bracket_codes_are_kept(norm):
    assert "[不存在的表情xyz]" in norm("看看[不存在的表情xyz]").text


def test_urls_mentions_topics_become_placeholders_and_are_kept(norm):
    result = norm("@小红 你看 #完美日记翻车# 详情 https://t.cn/A6abc 好")
    assert result.urls == ["https://t.cn/A6abc"]
    assert result.mentions == ["小红"]
    assert result.topics == ["完美日记翻车"]
    assert "[URL]" in result.text and "[MENTION]" in result.text and "[TOPIC]" in result.text
    assert "t.cn" not in result.text


def test_repeats_are_capped():
    assert normalize_text("哈哈哈哈哈哈") == "哈哈哈"
    assert normalize_text("太好了！！！！！") == "太好了！！！"
    assert normalize_text("666666") == "666"
    assert normalize_text("好的好的好的好的好的") == "好的好的好的"


def test_boilerplate_is_removed(norm):
    assert norm("此用户未填写评价内容").text == ""
    assert norm("质量很好...展开全文").text.startswith("质量很好")
    assert "展开全文" not in norm("质量很好...展开全文").text
    assert "客户端" not in norm("好用 来自iPhone客户端").text


def test_repost_chain_is_kept_apart_from_the_authors_words(norm):
    result = norm("说得对//@李四: 这家店的客服太差了//@王五:同感")
    assert result.text == "说得对"
    assert len(result.repost_chain) == 2
    assert "客服太差" in result.repost_chain[0]


def test_mojibake_gbk_and_latin1_round_trips_are_repaired(norm):
    original = "质量很好，物流很快"
    gbk_mojibake = original.encode("utf-8").decode("gbk", errors="ignore")
    latin1_mojibake = original.encode("utf-8").decode("latin-1")
    assert norm(latin1_mojibake).text == original
    assert norm(latin1_mojibake).repaired
    if gbk_mojibake.encode("gbk") == original.encode("utf-8"):
        assert norm(gbk_mojibake).text == original
    assert norm("鍝堝搱濂界敤").text == "哈哈好用"


def test_ordinary_text_is_not_repaired(norm):
    for text in ["温度25°C刚好", "价格×2", "这个很好用", "Café不错"]:
        assert not norm(text).repaired, text


def test_zero_width_and_control_characters_are_stripped():
    assert normalize_text("好\u200b用\u200d\ufeff\x07吗") == "好用吗"


def test_spaces_between_cjk_are_dropped():
    assert normalize_text("用 了 一 个 月") == "用了一个月"


def test_normalize_records_adds_text_norm_and_norm():
    records = normalize([{"id": "1", "text": "軟體[赞]"}])
    assert records[0]["text_norm"] == "软件[赞]"
    assert records[0]["norm"]["script"] == "zh-TW"


# -- properties -------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list(
    "哈好的了是不很质量软體網路滑鼠這個嘅咗！？，。!?,. 6１Ａa#@/[]:：赞捂脸doge狗头😂👍\u200b\n\t"
)) | st.characters()


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_normalize_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_lone_surrogates_are_dropped():
    assert normalize_text("一\ud800好") == "一好"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=200))
def test_no_exception_on_arbitrary_unicode(text):
    result = Normalizer()(text)
    assert isinstance(result.text, str)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_no_exception_on_arbitrary_bytes_decoded_any_way(data):
    for encoding in ("utf-8", "gbk", "latin-1"):
        text = data.decode(encoding, errors="replace")
        once = normalize_text(text)
        assert normalize_text(once) == once
