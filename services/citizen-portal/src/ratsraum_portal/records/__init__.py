"""Public master data (OParl objects besides meetings) as meeting publishes it."""
