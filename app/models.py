"""Every model module, imported once so metadata is complete for migrations and tests."""
from app.accounts import models as accounts_models  # noqa: F401
from app.calendar import models as calendar_models  # noqa: F401
from app.workflow import models as workflow_models  # noqa: F401
# resources (helper): catalogue, projects and resources models
from app.catalog import models as catalog_models  # noqa: F401, E402
from app.projects import models as projects_models  # noqa: F401, E402
from app.resources import models as resources_models  # noqa: F401, E402
