"""The languages a work can be written in, as AO3 names them: (code, name in that language)."""

LANGUAGES = [
    ("en", "English"), ("de", "Deutsch"), ("es", "Español"), ("fr", "Français"),
    ("it", "Italiano"), ("ja", "日本語"), ("ko", "한국어"), ("nl", "Nederlands"),
    ("pl", "Polski"), ("pt", "Português"), ("ru", "Русский"), ("zh", "中文"),
]  # fmt: skip
