"""Case records: the person on probation, convictions and sentences, sanctions, contacts, registrations."""
