"""The standing four of the "4+X" grid admission list (网格事务准入), as the Ouhai seed names them."""

STANDING_FOUR = [
    ("floating-population", "流动人口和出租房屋管理", "登记流动人口和出租房屋，核实变动，督促出租人申报。"),
    ("work-safety", "安全生产", "巡查小微企业、小作坊的安全生产隐患，发现即上报。"),
    ("fire-safety", "消防安全", "巡查消防通道、电动车充电、群租房等火灾隐患，劝导整改并上报。"),
    ("petition-stability", "信访维稳", "排查矛盾纠纷和信访苗头，就地化解，化解不了及时上报。"),
]
