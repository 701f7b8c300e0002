"""Report workbooks made from templates, and e-mailing them (``churnkit report``)."""
