"""Every model module, imported once so metadata is complete for migrations and tests."""
from app.accounts import models as accounts_models  # noqa: F401
from app.attachments import models as attachments_models  # noqa: F401
from app.billing import models as billing_models  # noqa: F401
from app.calendar import models as calendar_models  # noqa: F401
from app.catalog import models as catalog_models  # noqa: F401
from app.evaluation import models as evaluation_models  # noqa: F401
from app.governance import models as governance_models  # noqa: F401
from app.inbox import models as inbox_models  # noqa: F401
from app.jobs import models as jobs_models  # noqa: F401
from app.metering import models as metering_models  # noqa: F401
from app.monitoring import models as monitoring_models  # noqa: F401
from app.onboarding import models as onboarding_models  # noqa: F401
from app.procurement import models as procurement_models  # noqa: F401
from app.projects import models as projects_models  # noqa: F401
from app.resources import models as resources_models  # noqa: F401
from app.workflow import models as workflow_models  # noqa: F401
