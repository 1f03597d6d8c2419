"""Every model module, imported once so metadata is complete for migrations and tests."""
from app.accounts import models as accounts_models  # noqa: F401
from app.calendar import models as calendar_models  # noqa: F401
from app.workflow import models as workflow_models  # noqa: F401
