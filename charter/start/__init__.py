"""Start and feed a review: ``charter init``, study files from spreadsheets and bibliographies, export."""
