"""CMP-5: the three worked examples of the seeds' reply scripts 投诉处理用语 (002, 专题一
“妥善处理客户投诉”, 成功导航：客户投诉处理用语), written as data in Chinese. What never to say
follows the same 专题: do not argue, do not hide behind company policy, make no excuses, do
not promise more than can be kept. Edited in the admin afterwards."""

from django.db import migrations

SCRIPTS = [
    {
        "title": "投诉一：刚买的时候还不错，现在却连个人影都找不着",
        "kind": "",
        "keywords": "人影, 找不着, 找不到人, 联系不上, 没人管, 不管了, 没人理",
        "example": "“刚买的时候还不错，现在却连个人影都找不着！”",
        "psychology": "A、卖出去了（就不管了）；\nB、业务员只有在卖东西的时候最勤快，没信用。",
        "attention": "A、首先道歉，诚恳地赔不是；\nB、同时请客户提供信息。",
        "say": "“真是太抱歉了！我怕常打扰您会增加您的困扰，借着这个机会会积极地来拜访您，请您多多指教、照顾！”",
        "never_say": "不要找借口（“最近太忙了”“那不是我份内的工作”）；不要争辩谁对谁错；"
                     "不要随口许下以后做不到的承诺。",
        "order": 10,
    },
    {
        "title": "投诉二：刚买不久的车就这么糟",
        "kind": "quality",
        "keywords": "刚买, 这么糟, 这么差, 坏了, 毛病, 故障, 换一, 换货, 退货, 结块, 破",
        "example": "“刚买不久的车就这么糟！”",
        "psychology": "A、花了这么多钱买的，这到底是什么东西；\nB、这么糟的车子开起来真是不安，想换另一部。",
        "attention": "A、具体听取原因，以便缓和对方的心情；\nB、判断是否操作错误或故障；\n"
                     "C、陪着客户直接把出现的问题传达给技术人员；\nD、强调换车是不可能的。",
        "say": "“我们满怀信心地把车子介绍给您，所以也会负起责任的。真是太抱歉了！找个方便的时间到我们的保养厂好好检查"
               "一下吧！我陪您一起去，什么时候您方便呢？”\n"
               "“我非常了解您的心情，但换车是不可能的。车子是由很多零件组合起来才能发动的，不理想的应只是某个部位，不可能"
               "所有零件都不好。我一定负责到令您乘坐起来满意为止，再一次到修护厂检修看看好吗？”",
        "never_say": "不要一开口就断定是客户操作错误或立即反驳；不要搬出“公司规定……”来搪塞；"
                     "不要为了平息怒气答应换车（话讲得太满，做不到就输了）。",
        "order": 20,
    },
    {
        "title": "投诉三：让我在您的修护厂等那么久",
        "kind": "",
        "keywords": "等那么久, 等了, 等太久, 等半天, 排队, 太慢, 拖",
        "example": "“让我在您的修护厂等那么久！”",
        "psychology": "A、在百忙之中浪费时间；\nB、不愉快。",
        "attention": "A、首先道歉，以消除客户的不满；\nB、说明修护厂的结构（车多、预约制度）。",
        "say": "“平常我们的工作宗旨就是‘顾客至上’，现在有不周到的地方真是太抱歉了。如果我是您的话，一定会有同样的心情的。"
               "为了加强今后的改善，可不可以拜托您提供我们一些改善意见呢？”\n"
               "“给您添了这么多麻烦真是对不起！最近由于客户们的安全意识提高了，修护厂的车子也大为增加。我们当然会好好努力，"
               "但希望客户们还是尽量利用预约制度，如果能够早点联络的话，我想就不会有这种困扰了。”",
        "never_say": "不要只讲自己的难处（“我们也忙不过来”）；不要用“公司规定就是这样”回答；不要与客户争论等了多久。",
        "order": 30,
    },
]


def seed(apps, schema_editor):
    ReplyScript = apps.get_model("service", "ReplyScript")
    for script in SCRIPTS:
        ReplyScript.objects.get_or_create(title=script["title"], defaults=script)


def unseed(apps, schema_editor):
    apps.get_model("service", "ReplyScript").objects.filter(title__in=[s["title"] for s in SCRIPTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0004_after_closing")]
    operations = [migrations.RunPython(seed, unseed)]
