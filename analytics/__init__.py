"""Supervisors' operations, trends, statistics an agency can publish, risk rules and flow anomalies
(layer 3: analysis). Reads the records below it; never imports its siblings (registrations,
incidents): what they count reaches it through `core.indicators`."""
