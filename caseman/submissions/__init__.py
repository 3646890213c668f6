"""The half-year submission (004 三(五)): a town's ledger, 附件2 and 附件3 in one package."""
