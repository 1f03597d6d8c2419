"""Admin monitoring and process-owner deployment: definitions, instances, repairs, migration, dashboard."""
