"""Recognising the order columns by their headers (SPEC "Input: order lines").

Headers are matched case-insensitively after trimming, in English and Simplified
Chinese; units in brackets (``金额(元)``, ``Amount ($)``) are ignored. The user can name
any header explicitly, which wins over recognition.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

REQUIRED = ("date", "customer", "amount")

# Most specific first: where a sheet has both "Customer ID" and "Customer Name", the ID
# is the key and the name is the name.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("order date", "date", "invoice date", "ship date", "shipment date", "delivery date",
             "transaction date", "sales date", "订单日期", "下单日期", "日期", "销售日期", "发货日期",
             "开票日期", "单据日期", "交易日期", "出库日期"),
    "customer": ("customer id", "customer code", "customer no", "customer number", "customer key",
                 "account id", "client id", "a/c ref", "account ref", "account reference", "客户编号", "客户代码",
                 "客户id", "客户编码", "customer", "client", "account", "客户", "客户简称", "客户名称", "购货单位",
                 "customer name", "client name", "客户名"),
    "name": ("customer name", "client name", "company", "company name", "account name", "客户名称", "客户名", "公司名称",
             "name"),
    "amount": ("amount", "sales", "revenue", "net amount", "sales amount", "line total", "total amount",
               "value", "net sales", "net", "invoice amount", "invoice total", "gross amount", "gross", "total", "金额", "销售额", "销售金额", "订单金额", "含税金额", "价税合计",
               "总金额", "实收金额", "无税金额", "本币价税合计"),
    "quantity": ("quantity", "qty", "units", "数量", "销售数量", "件数"),
    "order": ("order no", "order number", "order id", "order", "invoice no", "invoice number", "invoice",
              "订单号", "订单编号", "单号", "单据编号", "发票号"),
    "product": ("product", "product name", "item", "sku", "产品", "产品名称", "商品", "商品名称", "品名", "物料",
                "存货名称", "物料名称", "存货编码", "物料编码", "商品编码"),     # 存货: U8 and Kingdee exports
    "category": ("category", "product category", "类别", "品类", "产品类别", "分类", "商品类别"),
    "rep": ("sales rep", "rep", "salesperson", "sales person", "account manager", "owner",
            "销售员", "业务员", "销售代表", "销售人员", "客户经理"),
    "region": ("region", "territory", "area", "地区", "区域", "省份", "大区"),
    "email": ("contact email", "email", "e-mail", "customer email", "邮箱", "电子邮件", "联系邮箱"),
}
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SPACES = re.compile(r"[\s_]+")


def normalise_header(value: object) -> str:
    """Lower-case, trimmed, units in brackets and a trailing colon removed."""
    if value is None:
        return ""
    text = _BRACKETS.sub("", str(value)).strip().rstrip(":：").strip()
    return _SPACES.sub(" ", text).lower()


def match_headers(row: Sequence[object], explicit: Mapping[str, str] | None = None) -> dict[str, int]:
    """Map fields to column positions in one header row.

    ``explicit`` maps fields to headers the user named; those must be present. Each
    column serves one field; the customer key takes the most specific header, and the
    name field is only kept when it is a different column from the key.
    """
    headers = [normalise_header(cell) for cell in row]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for field, header in (explicit or {}).items():
        wanted = normalise_header(header)
        if wanted in headers:
            found[field] = headers.index(wanted)
            taken.add(found[field])
    for field in ("customer", *[f for f in SYNONYMS if f != "customer"]):
        if field in found:
            continue
        for synonym in SYNONYMS[field]:
            if synonym in headers and headers.index(synonym) not in taken:
                found[field] = headers.index(synonym)
                taken.add(found[field])
                break
    return found


def find_header_row(rows: Sequence[Sequence[object]], explicit: Mapping[str, str] | None = None
                    ) -> tuple[int, dict[str, int]] | None:
    """The first row (index into ``rows``) where every required field is found, with its columns."""
    for index, row in enumerate(rows):
        found = match_headers(row, explicit)
        if all(field in found for field in REQUIRED):
            return index, found
    return None
