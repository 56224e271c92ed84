"""Read models: frozen dataclasses shaped for screens and reports, one module per feature.

They sit below both the services (which return them) and the reports (which render them), so a
report takes a read model without importing a service. Standard library and ``hrclinic.domain``
only: no database, no keys, no Qt.
"""
