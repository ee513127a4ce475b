"""The words simulated data is made of: names, time zones, reasons, errors.

Unicode on purpose (umlauts, kana, Cyrillic), since real workspaces hold it.
"""

TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Zurich",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
)
DAYS = (
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
)
SCHEDULE_NAMES = (
    "Nightly sales refresh",
    "Tägliche Übersicht",
    "日次レポート",
    "Weekly KPI pack",
    "Relatório mensal de vendas",
    "Inventory snapshot",
    "Prévisions hebdomadaires",
    "Еженедельный отчёт",
    "Churn model scoring",
    "Finance close: ledger load",
    "Marketing attribution",
    "Data quality checks",
    "Supplier onboarding feed",
    "Payroll export",
    "Customer 360 rebuild",
)
PEOPLE = (
    ("Alice Admin", "alice"),
    ("Jürgen Müller", "juergen.mueller"),
    ("Zoë Martin", "zoe.martin"),
    ("José García", "jose.garcia"),
    ("佐藤 花子", "hanako.sato"),
    ("Ольга Иванова", "olga.ivanova"),
    ("Aoife O'Brien", "aoife.obrien"),
    ("Ng Wei Ling", "weiling.ng"),
    ("Priya Raman", "priya.raman"),
    ("Tom Becker", "tom.becker"),
    ("Fatima Zahra", "fatima.zahra"),
    ("Lars Nørgaard", "lars.norgaard"),
)
DISABLE_REASONS = ("Disabled by user", "Owner is disabled", "Referenced asset deleted")
SOURCE_TYPES = ("snowflake", "bigquery", "databricks", "redshift", "postgres")
STORAGE_TYPES = ("s3", "adls", "gcs", "sftp")
DESCRIPTIONS = (
    "",
    "Owned by the data team",
    "Runs after the nightly load",
    "Feeds the finance dashboard",
    "Ask before changing: downstream reports depend on it",
)
ERRORS = {
    "plan": (
        "Task 'Load ledger' failed: flow run ended in Failed",
        "Plan timed out after 4 h",
    ),
    "flow": (
        "Column 'region' not found in dataset 'orders_2025'",
        "Recipe step 14: expected Integer, found String in 'quantity'",
        "Spark executor ran out of memory (java.lang.OutOfMemoryError)",
    ),
    "workflow": (
        "Tool 'Join (12)' failed: the field 'CustomerID' is missing",
        "Tool 'Output Data (7)' failed: the file is locked by another process",
    ),
}
SHARED_ERRORS = (
    "Connection to Snowflake timed out after 300 s",
    "Access denied to s3://acme-landing/incoming/",
    "Credentials for connection 'Finance DWH' have expired",
    "Input file sales_2025-06-30.csv is empty",
    "Publishing to BigQuery failed: quota exceeded",
)
