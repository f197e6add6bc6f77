"""Code lists of the registry. Where GB/T 31000-2015 (社会治安综合治理基础数据规范) or a standard it cites defines a
code list, the stored value is that standard's code (docs/registry.md lists which)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """GB/T 2261.1-2003 (性别代码)."""

    UNKNOWN = "0", _("Unknown")
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNSTATED = "9", _("Not stated")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card (居民身份证)")
    HMT_PERMIT = "hmt_permit", _("Hong Kong, Macao or Taiwan residence permit")
    FOREIGN_PERMIT = "foreign_permit", _("Foreign permanent residence ID")
    PASSPORT = "passport", _("Passport")


# GB 11643 numbers are checked for these; the others are checked for shape only.
CHECKSUM_ID_TYPES = frozenset({IdType.RESIDENT_ID, IdType.HMT_PERMIT})


class ResidenceType(models.TextChoices):
    """人口类型 of GB/T 31000: 户籍人口, 流动人口, 境外人员."""

    REGISTERED = "registered", _("Registered resident (户籍人口)")
    FLOATING = "floating", _("Floating resident (流动人口)")
    OVERSEAS = "overseas", _("Overseas person (境外人员)")


class PersonStatus(models.TextChoices):
    LIVING = "living", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")
    MERGED = "merged", _("Merged into another record")


class Relation(models.TextChoices):
    """与户主关系, GB/T 4761-2008 (家庭关系代码), its first-level codes."""

    HEAD = "02", _("Head of household (户主)")
    SPOUSE = "10", _("Spouse")
    SON = "20", _("Son")
    DAUGHTER = "30", _("Daughter")
    GRANDCHILD = "40", _("Grandchild")
    PARENT = "50", _("Parent")
    GRANDPARENT = "60", _("Grandparent")
    SIBLING = "70", _("Sibling")
    OTHER_RELATIVE = "80", _("Other relative")
    NOT_RELATED = "99", _("Not related")


class InflowReason(models.TextChoices):
    """流入原因 of GB/T 31000 (流动人口)."""

    WORK = "01", _("Work (务工)")
    FARMING = "02", _("Farming (务农)")
    BUSINESS = "03", _("Business (经商)")
    SERVICE = "04", _("Services (服务)")
    MARRIAGE = "05", _("Marriage (婚嫁)")
    RELATIVES = "06", _("Joining relatives (投靠亲友)")
    STUDY = "07", _("Study or training (就学培训)")
    MEDICAL = "08", _("Medical treatment (治病)")
    OTHER = "99", _("Other")


class Certificate(models.TextChoices):
    """办证类型 of GB/T 31000 (流动人口)."""

    RESIDENCE_PERMIT = "01", _("Residence permit (居住证)")
    TEMPORARY_PERMIT = "02", _("Temporary residence permit (暂住证)")
    NONE = "99", _("None yet")


class Lodging(models.TextChoices):
    """住所类型 of GB/T 31000 (流动人口)."""

    EMPLOYER = "01", _("Employer's premises (单位内部)")
    SITE = "02", _("Construction site (工地现场)")
    RENTED = "03", _("Rented house (租赁房屋)")
    RESIDENT_HOME = "04", _("In a resident's home (居民家中)")
    OWN = "05", _("Own house (自购房)")
    OTHER = "99", _("Other")


class LabelKind(models.TextChoices):
    CARE = "care", _("Care (关爱对象)")
    KEY = "key", _("Key person (重点人员)")


class Label(models.TextChoices):
    # Care labels: people the community looks after.
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone (独居老人)")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly (空巢老人)")
    DISABLED = "disabled", _("Disabled (残疾人)")
    LOW_INCOME = "low_income", _("Minimum living allowance (低保对象)")
    EXTREME_POVERTY = "extreme_poverty", _("Extreme poverty support (特困人员)")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child (留守儿童)")
    LEFT_BEHIND_ELDERLY = "left_behind_elderly", _("Left-behind elderly (留守老人)")
    LEFT_BEHIND_WOMAN = "left_behind_woman", _("Left-behind woman (留守妇女)")
    VETERAN = "veteran", _("Entitled veteran or family (优抚对象)")
    # Key-person labels: the 特殊人群 and 重点青少年 of GB/T 31000, and key petitioners.
    RELEASED_PRISONER = "released_prisoner", _("Released prisoner (刑满释放人员)")
    COMMUNITY_CORRECTION = "community_correction", _("Under community correction (社区矫正人员)")
    MENTAL_DISORDER = "mental_disorder", _("Severe mental disorder (严重精神障碍患者)")
    DRUG_USER = "drug_user", _("Drug user (吸毒人员)")
    AIDS_RISK = "aids_risk", _("AIDS risk (艾滋病危险人员)")
    KEY_YOUTH = "key_youth", _("Key youth (重点青少年)")
    KEY_PETITIONER = "key_petitioner", _("Key petitioner (重点信访人员)")


CARE_LABELS = frozenset(
    {
        Label.ELDERLY_ALONE,
        Label.EMPTY_NEST,
        Label.DISABLED,
        Label.LOW_INCOME,
        Label.EXTREME_POVERTY,
        Label.LEFT_BEHIND_CHILD,
        Label.LEFT_BEHIND_ELDERLY,
        Label.LEFT_BEHIND_WOMAN,
        Label.VETERAN,
    }
)


def label_kind(label: str) -> str:
    return LabelKind.CARE if label in CARE_LABELS else LabelKind.KEY


class HouseType(models.TextChoices):
    """分类: the kind of building the house is."""

    RESIDENTIAL = "residential", _("Flat in a residential building")
    SELF_BUILT = "self_built", _("Self-built house (自建房)")
    MIXED = "mixed", _("Shop with living space (商住混合)")
    COMMERCIAL = "commercial", _("Commercial premises")
    FACTORY = "factory", _("Factory or warehouse")
    DORMITORY = "dormitory", _("Staff dormitory (集体宿舍)")


class HouseUse(models.TextChoices):
    """房屋用途."""

    OWN = "own", _("Owner-occupied (自住)")
    RENTED = "rented", _("Rented out (出租)")
    VACANT = "vacant", _("Vacant (空置)")
    COMMERCIAL = "commercial", _("Business use (经营)")


class HouseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BUILDING = "building", _("Under construction")
    IN_USE = "in_use", _("In use")
    DEMOLISHED = "demolished", _("Demolished")


class Colour(models.TextChoices):
    """分色: the management colour a house's grade gives (red = closest attention)."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class TenancyPurpose(models.TextChoices):
    LIVING = "living", _("Living")
    BUSINESS = "business", _("Business")
    STAFF = "staff", _("Staff housing")


class PlaceKind(models.TextChoices):
    KEY_PLACE = "key_place", _("Key place (重点场所)")
    HAZARD = "hazard", _("Hazard source (危险源)")
    KEY_ITEM = "key_item", _("Key item (重点物品)")


class PlaceCategory(models.TextChoices):
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    HOSPITAL = "hospital", _("Hospital or clinic")
    MARKET = "market", _("Market")
    SUPERMARKET = "supermarket", _("Shopping centre")
    HOTEL = "hotel", _("Hotel or guesthouse")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    ENTERTAINMENT = "entertainment", _("Entertainment venue")
    CARE_HOME = "care_home", _("Care home")
    RELIGIOUS = "religious", _("Religious venue")
    TRANSPORT = "transport", _("Transport hub")
    GAS_STATION = "gas_station", _("Filling station")
    LPG_STATION = "lpg_station", _("Bottled gas supply point")
    CHEMICALS = "chemicals", _("Hazardous chemicals store")
    CONSTRUCTION = "construction", _("Construction site")
    DANGEROUS_BUILDING = "dangerous_building", _("Dangerous building")
    POWER = "power", _("High-voltage installation")
    RESERVOIR = "reservoir", _("Reservoir or dyke")
    FIREWORKS = "fireworks", _("Fireworks shop")
    GAS_CYLINDERS = "gas_cylinders", _("Bottled gas cylinders")
    EXPLOSIVE_PRECURSORS = "explosive_precursors", _("Explosive precursor chemicals")
    RADIOACTIVE = "radioactive", _("Radioactive source")


PLACE_CATEGORIES = {
    PlaceKind.KEY_PLACE: [
        PlaceCategory.SCHOOL,
        PlaceCategory.KINDERGARTEN,
        PlaceCategory.HOSPITAL,
        PlaceCategory.MARKET,
        PlaceCategory.SUPERMARKET,
        PlaceCategory.HOTEL,
        PlaceCategory.INTERNET_CAFE,
        PlaceCategory.ENTERTAINMENT,
        PlaceCategory.CARE_HOME,
        PlaceCategory.RELIGIOUS,
        PlaceCategory.TRANSPORT,
    ],
    PlaceKind.HAZARD: [
        PlaceCategory.GAS_STATION,
        PlaceCategory.LPG_STATION,
        PlaceCategory.CHEMICALS,
        PlaceCategory.CONSTRUCTION,
        PlaceCategory.DANGEROUS_BUILDING,
        PlaceCategory.POWER,
        PlaceCategory.RESERVOIR,
        PlaceCategory.FIREWORKS,
    ],
    PlaceKind.KEY_ITEM: [
        PlaceCategory.GAS_CYLINDERS,
        PlaceCategory.EXPLOSIVE_PRECURSORS,
        PlaceCategory.RADIOACTIVE,
    ],
}


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("No problem found")
    HAZARD = "hazard", _("Hazard found")
    RECTIFIED = "rectified", _("Earlier hazard rectified")


class OrganisationKind(models.TextChoices):
    """非公有制经济组织 and 社会组织 of GB/T 31000, and public bodies."""

    COMPANY = "company", _("Company (企业)")
    INDIVIDUAL = "individual", _("Individual business (个体工商户)")
    SOCIAL = "social", _("Social organisation (社会组织)")
    PUBLIC = "public", _("Public institution (事业单位)")


class OrganisationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CANCELLED = "cancelled", _("Cancelled (注销)")
    REVOKED = "revoked", _("Licence revoked (吊销)")


class EventKind(models.TextChoices):
    MOVE_IN = "move_in", _("Moved in")
    MOVE_OUT = "move_out", _("Moved out")
    BIRTH = "birth", _("Born")
    DEATH = "death", _("Died")
    CHANGE = "change", _("Details changed")
    LABEL = "label", _("Label added")
    UNLABEL = "unlabel", _("Label ended")
    MERGE = "merge", _("Duplicate merged")
    RENT = "rent", _("Rented out")
    VACATE = "vacate", _("Vacated")
    PLAN = "plan", _("Planned")
    BUILD = "build", _("Construction started")
    COMPLETE = "complete", _("Completed")
    DEMOLISH = "demolish", _("Demolished")
    REGISTER = "register", _("Registered")
    CANCEL = "cancel", _("Cancelled")
    REVOKE = "revoke", _("Licence revoked")
    INSPECT = "inspect", _("Inspected")
    CLOSE = "close", _("Closed")


class Source(models.TextChoices):
    FORM = "form", _("Recorded on a form")
    IMPORT = "import", _("Imported from a file")
    SEED = "seed", _("Demo data")


# 民族 (GB/T 3304-1991): code → name. Names are the standard's own and are not translated.
ETHNIC_GROUPS = dict(
    (f"{i:02d}", name)
    for i, name in enumerate(
        "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 "
        "布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
        "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 "
        "水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 "
        "仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 "
        "阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 "
        "鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
        "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族".split(),
        start=1,
    )
) | {"97": "其他", "98": "外国血统中国籍人士"}
