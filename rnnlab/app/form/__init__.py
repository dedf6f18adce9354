"""The experiment form: the controls built from the schema, the task's description and data preview, user files."""
