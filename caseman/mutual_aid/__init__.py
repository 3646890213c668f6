"""Rural mutual aid (农村互助养老) of 渝北民〔2023〕23号: team, points, pairing, points ledger,
activities, funds, the indicators and the two quarterly forms."""
