"""The monthly report as files officials open: a Word document in Chinese (python-docx) and a workbook of the
statistics tables (openpyxl). Fonts are set for East Asian text so LibreOffice and Word both render it."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from cases.assessment import DEFINITIONS, Rates
from command import charts
from command.hotspots import BASELINE_DAYS
from territory.models import Grid

if TYPE_CHECKING:
    from command.report import MonthFigures

FONT = "Noto Sans CJK SC"
RATE_HEADER = ["单位", "受理", "按时响应", "响应率", "有效受理", "办结确认", "办结率", "评价", "满意", "满意率"]


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def change(value: float | None) -> str:
    if value is None:
        return "无可比数据"
    return f"{'增长' if value >= 0 else '下降'} {abs(value) * 100:.1f}%"


def _fonts(document) -> None:
    for style in document.styles:
        if style.type != 1 or style.font is None:  # paragraph and character styles only
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    document.styles["Normal"].font.size = Pt(10.5)


def _table(document, header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
            if widths:
                cell.width = Cm(widths[i])
    document.add_paragraph()


def _rate_row(r: Rates) -> list[Any]:
    return [
        r.name,
        r.reported,
        r.replied_on_time,
        pct(r.reply_rate),
        r.accepted,
        r.resolved_confirmed,
        pct(r.resolution_rate),
        r.rated,
        r.satisfied,
        pct(r.satisfaction_rate),
    ]


def _picture(document, png: bytes, width_cm: float = 16) -> None:
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def grid_shapes(f: MonthFigures) -> list[tuple[str, dict[str, Any]]]:
    return list(
        Grid.objects.filter(code__startswith=f.scope.code).exclude(geometry=None).values_list("code", "geometry")
    )


def write_docx(f: MonthFigures) -> bytes:
    document = Document()
    _fonts(document)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    title = document.add_heading(f"{f.scope.name}{f.month:%Y年%-m月}社会治理事件统计分析报告", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph(
        f"统计期间：{f.month:%Y年%-m月%-d日}至{f.end:%Y年%-m月%-d日}　生成时间：{timezone.localtime():%Y-%m-%d %H:%M}　"
        "数据来源：枫桥网格化社会治理平台（自动生成）"
    )
    meta.runs[0].font.size = Pt(9)
    meta.runs[0].font.color.rgb = RGBColor(0x66, 0x66, 0x66)

    r = f.rates
    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(
        f"本月共受理事件 {r.reported} 件，环比{change(f.mom)}（上月 {f.previous.reported} 件），"
        f"同比{change(f.yoy)}（去年同月 {f.last_year.reported} 件）。其中已办结 {f.closed} 件，"
        f"网格员就地解决 {f.on_spot} 件；截至目前仍在办理 {f.open_at_end} 件，其中超期 {f.overdue_open} 件。"
        f"本月响应率 {pct(r.reply_rate)}、办结率 {pct(r.resolution_rate)}、满意率 {pct(r.satisfaction_rate)}"
        f"（上月分别为 {pct(f.previous.reply_rate)}、{pct(f.previous.resolution_rate)}、"
        f"{pct(f.previous.satisfaction_rate)}）。"
    )
    _table(
        document,
        ["渠道", "受理量", "占比"],
        [[c["name"], c["n"], pct(c["n"] / r.reported if r.reported else None)] for c in f.channels],
    )
    _picture(document, charts.trend(f))

    document.add_heading(f"二、各{f.child_label}及部门三率", level=1)
    document.add_paragraph(f"按三率平均值从高到低排列。下表为各{f.child_label}：")
    _table(document, [f.child_label, *RATE_HEADER[1:]], [_rate_row(x) for x in f.children])
    if f.children:
        _picture(document, charts.rates(f))
    document.add_paragraph("各职能部门（以主办计）：")
    _table(
        document,
        ["部门", *RATE_HEADER[1:]],
        [_rate_row(x) for x in f.departments] or [["本月无派遣部门的事件", *[""] * 9]],
    )

    document.add_heading("三、事件分类", level=1)
    _table(
        document,
        ["大类", "本月", "上月", "环比"],
        [[c["name"], c["n"], c["previous"], change(c["mom"])] for c in f.categories],
    )
    if f.leaf_categories:
        _picture(document, charts.categories(f), 15)

    document.add_heading("四、时空热点（预防型研判）", level=1)
    spots = f.hotspots
    document.add_paragraph(
        f"以各网格、各 h3 单元（约0.7平方公里）本月受理量对比其前{BASELINE_DAYS // 7}周基线，"
        "泊松检验并经 Benjamini–Hochberg "
        f"多重检验校正（q<0.05，且不少于3件）；相邻单元的高值聚集以 Getis-Ord Gi* 统计量衡量（z>1.96）。"
        f"本月显著高于基线的网格 {len(spots.flagged_grids)} 个、单元 {len(spots.flagged_cells)} 个。"
    )
    _picture(document, charts.hotspot_map(f, grid_shapes(f)), 13)
    rows = [
        [u.name, u.count, f"{u.expected:.1f}", f"{u.ratio}", f"{u.q:.3g}"] for u in spots.flagged_grid_categories[:12]
    ]
    if rows:
        document.add_paragraph("显著高于基线的网格 × 事件大类：")
        _table(document, ["网格 · 大类", "本月", "基线期望", "倍数", "q值"], rows)
    if f.spikes:
        document.add_paragraph("时间上的突增（按街道 × 大类，对比前8周同一星期几的均值）：")
        _table(
            document,
            ["街道", "大类", "类型", "日期", "件数", "基线", "倍数"],
            [
                [
                    s.street,
                    s.category,
                    "单日" if s.span == "day" else "近7日",
                    s.day.isoformat(),
                    s.count,
                    s.baseline,
                    s.ratio,
                ]
                for s in f.spikes
            ],
        )

    document.add_heading("五、共性问题（月末一周）", level=1)
    p = f.problems
    document.add_paragraph(
        f"{p.start:%-m月%-d日}至{p.end:%-m月%-d日}共 {p.cases} 件，其中 {p.clustered} 件可归为以下共性问题"
        "（同一小类内按描述相似度聚类）："
    )
    if p.problems:
        _table(
            document,
            ["共性问题", "件数", "主要地点", "代表性描述"],
            [[x.headline, x.count, "、".join(f"{n}（{c}）" for n, c in x.places), x.example[:80]] for x in p.problems],
        )
    else:
        document.add_paragraph("本期未发现3件以上的同类问题。")

    document.add_heading("六、典型案例（疏导型研判）", level=1)
    if f.typical:
        for case in f.typical:
            document.add_paragraph(f"【{case['category']}】{case['tracking_no']}", style="List Bullet")
            document.add_paragraph(f"群众反映：{case['description']}")
            document.add_paragraph(
                f"处置情况：{case['reply']}（{case['unit']}，{case['hours']} 小时办结，群众评价5星）"
            )
    else:
        document.add_paragraph("本月暂无评价5星且有答复的办结案例。")

    document.add_heading("七、趋势预测", level=1)
    total = f.forecast.get("total")
    if total:
        document.add_paragraph(
            f"以 Holt–Winters 指数平滑（含周季节性）对每日受理量建模，预测未来4周共约 {total['total']:.0f} 件；"
            f"以本月最后4周回测，周受理量的平均绝对百分比误差（MAPE）为 {pct(total['mape'])}。"
        )
        _table(document, ["周", "预测受理量"], [[f"{w['start']} ~ {w['end']}", w["n"]] for w in total["weeks"]])
        cats = f.forecast.get("categories", [])[:8]
        if cats:
            _table(
                document,
                ["事件大类", "未来4周预测", "回测MAPE"],
                [[c["name"], c["total"], pct(c["mape"])] for c in cats],
            )
    _picture(document, charts.forecast(f))

    document.add_heading("附：指标口径", level=1)
    for label, key in (("响应率", "reply"), ("办结率", "resolution"), ("满意率", "satisfaction")):
        document.add_paragraph(f"{label}：{DEFINITIONS[key]}", style="List Bullet")
    document.add_paragraph("事件按受理时间归入统计期间；环比、同比为受理量的变化。", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2A6EBB")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for i, _h in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = 14 if i > 1 else 24
    sheet.freeze_panes = "A2"


def _rate_values(r: Rates) -> list[Any]:
    return [
        r.unit,
        r.name,
        r.reported,
        r.replied_on_time,
        r.reply_rate,
        r.accepted,
        r.resolved_confirmed,
        r.resolution_rate,
        r.rated,
        r.satisfied,
        r.satisfaction_rate,
    ]


def write_xlsx(f: MonthFigures) -> bytes:
    book = Workbook()
    book.remove(book.active)
    r = f.rates
    _sheet(
        book,
        "总体",
        ["指标", "本月", "上月", "去年同月"],
        [
            ["受理量", r.reported, f.previous.reported, f.last_year.reported],
            ["响应率", r.reply_rate, f.previous.reply_rate, f.last_year.reply_rate],
            ["办结率", r.resolution_rate, f.previous.resolution_rate, f.last_year.resolution_rate],
            ["满意率", r.satisfaction_rate, f.previous.satisfaction_rate, f.last_year.satisfaction_rate],
            ["已办结", f.closed, None, None],
            ["就地解决", f.on_spot, None, None],
            ["仍在办理", f.open_at_end, None, None],
            ["其中超期", f.overdue_open, None, None],
        ],
    )
    rate_header = [
        "代码",
        "单位",
        "受理",
        "按时响应",
        "响应率",
        "有效受理",
        "办结确认",
        "办结率",
        "评价",
        "满意",
        "满意率",
    ]
    _sheet(book, f"{f.child_label[:2]}三率", rate_header, [_rate_values(x) for x in f.children])
    _sheet(book, "部门三率", rate_header, [_rate_values(x) for x in f.departments])
    _sheet(
        book,
        "事件大类",
        ["代码", "大类", "本月", "上月", "环比"],
        [[c["code"], c["name"], c["n"], c["previous"], c["mom"]] for c in f.categories],
    )
    _sheet(
        book,
        "事件小类前十",
        ["代码", "小类", "本月", "上月", "环比"],
        [[c["code"], c["name"], c["n"], c["previous"], c["mom"]] for c in f.leaf_categories],
    )
    _sheet(book, "渠道", ["渠道", "受理量"], [[c["name"], c["n"]] for c in f.channels])
    _sheet(book, "每日受理", ["日期", "受理量"], [[d["day"], d["n"]] for d in f.daily])
    _sheet(book, "近13个月", ["月份", "受理量"], [[m["month"], m["n"]] for m in f.months])
    _sheet(
        book,
        "热点网格",
        ["代码", "网格", "本月", "基线件数", "期望", "p值", "q值"],
        [[u.code, u.name, u.count, u.baseline, round(u.expected, 2), u.p, u.q] for u in f.hotspots.flagged_grids],
    )
    _sheet(
        book,
        "热点单元",
        ["h3单元", "本月", "基线件数", "期望", "q值", "Gi* z"],
        [[u.code, u.count, u.baseline, round(u.expected, 2), u.q, u.gi_z] for u in f.hotspots.flagged_cells],
    )
    _sheet(
        book,
        "共性问题",
        ["共性问题", "小类", "件数", "主要地点", "代表性描述", "代表工单"],
        [
            [p.headline, p.category, p.count, "、".join(f"{n}（{c}）" for n, c in p.places), p.example, p.example_no]
            for p in f.problems.problems
        ],
    )
    total = f.forecast.get("total")
    forecast_rows = [["合计", w["start"], w["end"], w["n"], total["mape"]] for w in total["weeks"]] if total else []
    for block in ("streets", "categories"):
        for series in f.forecast.get(block, []):
            forecast_rows += [[series["name"], w["start"], w["end"], w["n"], series["mape"]] for w in series["weeks"]]
    _sheet(book, "预测", ["范围", "周起", "周止", "预测受理量", "回测MAPE"], forecast_rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
