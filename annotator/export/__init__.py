"""Export: label files in, datasets out (Hugging Face Parquet, save_to_disk, jsonl, CoNLL, brat).

Data flows one way: `source` yields validated (document, label file) pairs,
`chunk` and `bio` turn them into rows, `dedup` and `splits` place each document
in a split, and one writer module per format puts the rows on disk.
"""
