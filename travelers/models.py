# Persons, travel documents, visas, stay rules, inspections and movements (issue 3).
