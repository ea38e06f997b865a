"""The ledger of grants, spending and expiry.

Credits live in blocks (one per grant); every movement is an append-only entry, and
every balance (per block, per bucket, in total) is the running sum of entries. A
`Ledger` is the accumulator of one simulation; it never escapes it.

Rules kept here (policy.toml):
- A spend takes the buckets in the given spending order, the oldest block of a
  bucket first; one entry per block it draws on.
- Credits granted while the balance is negative pay it off first (deficit_repayment),
  in an entry of the grant's own kind. The negative balance is kept in one block of
  the `topup` bucket, which never expires, so it carries over until paid off.
- An expiry is dated the first day the credits are gone.
"""

from __future__ import annotations

from datetime import date

from .model import BUCKETS, Block, Bucket, Entry, Kind

NEVER = 1 << 40  # an ordinal later than any date
TOPUP = Bucket.TOPUP
EXPIRING = (Bucket.DAILY, Bucket.MONTHLY, Bucket.BONUS)  # top-up credits (and a negative balance) never expire


class Ledger:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.balance = 0                          # sum of all entries
        self.totals = dict.fromkeys(BUCKETS, 0)   # sum of the entries per bucket
        self.blocks: dict[Bucket, list[Block]] = {b: [] for b in BUCKETS}  # oldest first
        self.left: dict[int, int] = {}            # block key -> sum of its entries
        self.next_key = 0
        self.next_expiry = NEVER                  # earliest expiry among live blocks (ordinal)
        self.debt: Block | None = None            # the negative block, when the balance is below 0

    def _post(self, day: date, kind: Kind, block: Block, credits: int) -> None:
        self.balance += credits
        self.totals[block.bucket] += credits
        self.left[block.key] += credits
        self.entries.append(Entry(day, kind, block.bucket, credits, self.balance))

    def _new_block(self, day: date, bucket: Bucket, expires: date | None) -> Block:
        block = Block(self.next_key, bucket, day, expires)
        self.next_key += 1
        self.blocks[bucket].append(block)
        self.left[block.key] = 0
        if expires is not None and expires.toordinal() < self.next_expiry:
            self.next_expiry = expires.toordinal()
        return block

    def _drop(self, block: Block) -> None:
        self.blocks[block.bucket].remove(block)
        del self.left[block.key]
        if block is self.debt:
            self.debt = None

    def grant(self, day: date, kind: Kind, bucket: Bucket, credits: int, expires: date | None) -> int:
        """Add credits, paying off a negative balance first; returns the credits that paid it off."""
        if credits <= 0:
            return 0
        repaid = 0
        if self.debt is not None:
            repaid = min(credits, -self.left[self.debt.key])
            self._post(day, kind, self.debt, repaid)
            if self.left[self.debt.key] == 0:
                self._drop(self.debt)
            credits -= repaid
        if credits:
            self._post(day, kind, self._new_block(day, bucket, expires), credits)
        return repaid

    def expire(self, day: date, block: Block) -> None:
        if self.left[block.key] > 0:
            self._post(day, Kind.EXPIRE, block, -self.left[block.key])
        self._drop(block)

    def expire_bucket(self, day: date, bucket: Bucket) -> None:
        """Everything left in `bucket` is gone today (an allowance replaced or ended)."""
        for block in list(self.blocks[bucket]):
            self.expire(day, block)

    def expire_due(self, day: date) -> None:
        """Credits whose expiry date is `day` are gone."""
        today = day.toordinal()
        if self.next_expiry > today:
            return
        upcoming = NEVER
        for bucket in EXPIRING:
            for block in list(self.blocks[bucket]):
                if block.expires is None:
                    continue
                when = block.expires.toordinal()
                if when <= today:
                    self.expire(day, block)
                elif when < upcoming:
                    upcoming = when
        self.next_expiry = upcoming

    def spend(self, day: date, wanted: int, order: tuple[Bucket, ...], overdraft: bool) -> int:
        """Consume up to `wanted` in `order`; with `overdraft` the rest goes negative. Returns the credits consumed."""
        if wanted <= 0:
            return 0
        need = wanted
        left = self.left
        for bucket in order:
            blocks = self.blocks[bucket]
            i = 0
            while i < len(blocks):
                block = blocks[i]
                have = left[block.key]
                if have <= 0:  # the negative block
                    i += 1
                elif have > need:
                    self._post(day, Kind.CONSUME, block, -need)
                    return wanted
                else:  # used up: the next block slides into place i
                    self._post(day, Kind.CONSUME, block, -have)
                    del blocks[i], left[block.key]
                    need -= have
                    if need == 0:
                        return wanted
        if overdraft:
            if self.debt is None:
                self.debt = self._new_block(day, TOPUP, None)
            self._post(day, Kind.CONSUME, self.debt, -need)
            return wanted
        return wanted - need

    def forgive(self, day: date) -> None:
        """Write off a negative balance (policy deficit_at_new_cycle = forgive)."""
        if self.debt is not None:
            self._post(day, Kind.FORGIVE, self.debt, -self.left[self.debt.key])
            self._drop(self.debt)

    def adopt(self, day: date, other: "Ledger") -> None:
        """Take over the credits of a recomputed account (a refund's replay): the difference
        per bucket is written as `refund` entries, so the history stays append-only and
        still sums to the balance."""
        for bucket in BUCKETS:
            change = other.totals[bucket] - self.totals[bucket]
            if change:
                self.balance += change
                self.totals[bucket] += change
                self.entries.append(Entry(day, Kind.REFUND, bucket, change, self.balance))
        self.blocks, self.left, self.debt = other.blocks, other.left, other.debt
        self.next_key = max(self.next_key, other.next_key)
        self.next_expiry = other.next_expiry

    def bucket_totals(self) -> tuple[int, int, int, int]:
        totals = self.totals
        return (totals[Bucket.DAILY], totals[Bucket.MONTHLY], totals[Bucket.BONUS], totals[TOPUP])
