""" "Courriels": the mails the office wrote: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import pandas as pd
import param

import sollicitations as sol

from ..common import Navigation, Pager, messages_of

ORDER = "Triés par date, les plus récents d'abord"  # the store's order (outbox_page: newest first)


class Outbox(param.Parameterized):
    """The support desk's view of the mails the office wrote (sent or waiting)."""

    rows = param.DataFrame(default=pd.DataFrame())
    numero = param.String(default="")
    errors = param.List(default=[])

    def __init__(self, me: sol.UserDesk, navigation: Navigation, **params):
        super().__init__(**params)
        self.me, self.pager = me, Pager(order=ORDER)
        self.order_column = "Date"
        self.pager.param.watch(lambda e: self.load(), ["page", "page_size"])
        navigation.param.watch(lambda e: self.load(), "revision")
        self.load()

    def load(self) -> None:
        try:
            frame = self.me.outbox(self.pager.page, self.pager.page_size, numero=self.numero.strip() or None)
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, errors=[])

    def search(self) -> None:
        self.pager.page = 1
        self.load()
