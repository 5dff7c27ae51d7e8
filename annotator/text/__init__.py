"""Text handling: normalization, script detection and jieba token offsets."""
