"""Turning files as people have them into normalized documents.

file -> sniff (what is it?) -> decode (which encoding?) -> markup (strip to
text + meta) -> normalize -> RawDocument. Nothing here touches the workspace:
the importer decides what to store.
"""
