"""The tables behind the LaTeX escaping: which Unicode characters pdfLaTeX typesets with T1 fonts, Greek
letters and symbols as math commands, letters and accents as LaTeX commands, and the LaTeX commands a title
may carry (kept, turned into text, or degraded to a kernel command)."""

from __future__ import annotations

# Code points that `\usepackage[utf8]{inputenc}` + `\usepackage[T1]{fontenc}` typesets with the standard
# fonts (every \DeclareUnicodeCharacter of utf8enc/t1enc/ts1enc/ot1enc/omsenc.dfu that built without error
# or missing glyph on TeX Live 2022; Cyrillic needs T2A and is left out).
T1_SAFE_RANGES = (
    (0x00A0, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148), (0x014A, 0x0165),
    (0x0168, 0x017E), (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3), (0x01E6, 0x01EB),
    (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233), (0x0237, 0x0237),
    (0x02C6, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DD), (0x0E3F, 0x0E3F), (0x1E02, 0x1E03),
    (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25), (0x1E30, 0x1E31), (0x1E37, 0x1E37),
    (0x1E43, 0x1E43), (0x1E45, 0x1E45), (0x1E47, 0x1E47), (0x1E5B, 0x1E5B), (0x1E63, 0x1E63),
    (0x1E6D, 0x1E6D), (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3), (0x2010, 0x2016),
    (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026), (0x2030, 0x2031),
    (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044), (0x204E, 0x204E), (0x2052, 0x2052),
    (0x20A1, 0x20A1), (0x20A4, 0x20A4), (0x20A6, 0x20A6), (0x20A9, 0x20A9), (0x20AB, 0x20AC),
    (0x20B1, 0x20B1), (0x2103, 0x2103), (0x2116, 0x2117), (0x211E, 0x211E), (0x2120, 0x2120),
    (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E), (0x2190, 0x2193), (0x2329, 0x232A),
    (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF), (0x266A, 0x266A), (0x27E8, 0x27E9),
    (0x3008, 0x3009), (0xFB00, 0xFB06),
)
T1_SAFE = frozenset(chr(c) for lo, hi in T1_SAFE_RANGES for c in range(lo, hi + 1))

# Greek letters and mathematical symbols -> the LaTeX math command (kernel LaTeX, no packages).
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "ο": "mathit{o}", "π": "pi", "ϖ": "varpi", "ρ": "rho", "ϱ": "varrho", "σ": "sigma",
    "ς": "varsigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    "Α": "mathrm{A}", "Β": "mathrm{B}", "Ε": "mathrm{E}", "Ζ": "mathrm{Z}", "Η": "mathrm{H}",
    "Ι": "mathrm{I}", "Κ": "mathrm{K}", "Μ": "mathrm{M}", "Ν": "mathrm{N}", "Ο": "mathrm{O}",
    "Ρ": "mathrm{P}", "Τ": "mathrm{T}", "Χ": "mathrm{X}",
}
MATH_SYMBOLS = {
    "∇": "nabla", "∼": "sim", "≃": "simeq", "≈": "approx", "≅": "cong", "≡": "equiv", "≠": "neq",
    "≤": "leq", "≥": "geq", "≪": "ll", "≫": "gg", "∞": "infty", "∈": "in", "∉": "notin", "∋": "ni",
    "⊂": "subset", "⊃": "supset", "⊆": "subseteq", "⊇": "supseteq", "∪": "cup", "∩": "cap",
    "∧": "wedge", "∨": "vee", "∀": "forall", "∃": "exists", "∅": "emptyset", "∑": "sum", "∏": "prod",
    "∫": "int", "∂": "partial", "√": "surd", "∝": "propto", "⋯": "cdots", "⋅": "cdot", "∘": "circ",
    "⋆": "star", "∗": "ast", "⊕": "oplus", "⊗": "otimes", "⊙": "odot", "⊥": "perp", "⊤": "top",
    "∥": "parallel", "∣": "mid", "⇒": "Rightarrow", "⇐": "Leftarrow", "⇔": "Leftrightarrow",
    "↔": "leftrightarrow", "↦": "mapsto", "⟶": "longrightarrow", "⟵": "longleftarrow", "ℓ": "ell",
    "ℏ": "hbar", "′": "prime", "−": "-", "∓": "mp", "†": "dagger", "‡": "ddagger", "×": "times",
    "÷": "div", "±": "pm", "·": "cdot", "→": "rightarrow", "←": "leftarrow", "↑": "uparrow",
    "↓": "downarrow", "¬": "neg", "⟨": "langle", "⟩": "rangle", "ı": "imath", "ȷ": "jmath",
}
MATH_UNICODE = {**GREEK, **MATH_SYMBOLS}

SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
SUBSCRIPTS = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))

# Letters that do not decompose, with their LaTeX form and an ASCII spelling for keys.
SPECIAL_LETTERS = {
    "ł": ("\\l", "l"), "Ł": ("\\L", "L"), "ø": ("\\o", "o"), "Ø": ("\\O", "O"), "ß": ("\\ss", "ss"),
    "æ": ("\\ae", "ae"), "Æ": ("\\AE", "AE"), "œ": ("\\oe", "oe"), "Œ": ("\\OE", "OE"),
    "å": ("\\aa", "aa"), "Å": ("\\AA", "AA"), "ı": ("\\i", "i"), "ȷ": ("\\j", "j"), "đ": ("\\dj", "d"),
    "Đ": ("\\DJ", "D"), "ð": ("\\dh", "d"), "Ð": ("\\DH", "D"), "þ": ("\\th", "th"), "Þ": ("\\TH", "TH"),
    "ŋ": ("\\ng", "ng"), "Ŋ": ("\\NG", "NG"),
}
# Combining mark -> LaTeX accent command.
ACCENTS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=",
    "\u0307": ".", "\u0306": "u", "\u030c": "v", "\u030b": "H", "\u0327": "c", "\u0328": "k",
    "\u030a": "r", "\u0323": "d", "\u0331": "b",
}
ACCENT_MARKS = {v: k for k, v in ACCENTS.items()}

# ---------------------------------------------------------------------------------------------------------
# LaTeX commands a title may carry
# ---------------------------------------------------------------------------------------------------------
# Text commands with one argument, kept as they are (the argument is escaped in its turn).
TEXT_ARG_COMMANDS = frozenset({
    "textbf", "textit", "textsc", "texttt", "textsf", "textrm", "textmd", "textup", "textsl", "textnormal",
    "emph", "underline", "mbox", "textsuperscript",
})
TEXT_ARG_ALIASES = {"text": "mbox", "textsubscript": "mbox"}  # amsmath / fixltx2e only: degrade safely
# Text commands without argument -> their plain text.
TEXT_SYMBOLS = {
    "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e", "ldots": "…", "dots": "…", "textellipsis": "…",
    "S": "§", "P": "¶", "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dag": "†", "ddag": "‡",
    "copyright": "©", "pounds": "£", "textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\",
    "textbar": "|", "textless": "<", "textgreater": ">", "textunderscore": "_", "textbraceleft": "{",
    "textbraceright": "}", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”", "textregistered": "®",
    "texttrademark": "™", "textdegree": "°", "textbullet": "•", "textperiodcentered": "·",
    "textdollar": "$", "textsterling": "£", "textsection": "§", "textparagraph": "¶",
}
# Math commands: name -> (number of arguments, plain text or None for "the argument(s)").
MATH_COMMANDS: dict[str, tuple[int, str | None]] = {
    **{name: (0, letter) for letter, name in GREEK.items() if "{" not in name},
    **{name: (0, sym) for sym, name in MATH_SYMBOLS.items() if name.isalpha()},
    "le": (0, "≤"), "ge": (0, "≥"), "ne": (0, "≠"), "to": (0, "→"), "gets": (0, "←"), "lnot": (0, "¬"),
    "land": (0, "∧"), "lor": (0, "∨"), "ldots": (0, "…"), "dots": (0, "…"), "cdots": (0, "⋯"),
    "vdots": (0, "⋮"), "iff": (0, "⟺"), "implies": (0, "⟹"), "Longrightarrow": (0, "⟹"),
    "rightarrow": (0, "→"), "Rightarrow": (0, "⇒"), "leftrightarrow": (0, "↔"), "uparrow": (0, "↑"),
    "downarrow": (0, "↓"), "lbrace": (0, "{"), "rbrace": (0, "}"), "backslash": (0, "\\"),
    "quad": (0, " "), "qquad": (0, " "), "log": (0, "log"), "exp": (0, "exp"), "max": (0, "max"),
    "min": (0, "min"), "arg": (0, "arg"), "sin": (0, "sin"), "cos": (0, "cos"), "lim": (0, "lim"),
    "sup": (0, "sup"), "inf": (0, "inf"), "det": (0, "det"), "dim": (0, "dim"), "ln": (0, "ln"),
    "Pr": (0, "Pr"), "bigcup": (0, "⋃"), "bigcap": (0, "⋂"), "coprod": (0, "∐"), "oint": (0, "∮"),
    "diamond": (0, "⋄"), "triangle": (0, "△"), "bullet": (0, "•"),
    "mathrm": (1, None), "mathbf": (1, None), "mathit": (1, None), "mathsf": (1, None),
    "mathtt": (1, None), "mathcal": (1, None), "mathnormal": (1, None),
    "hat": (1, None), "widehat": (1, None), "tilde": (1, None), "widetilde": (1, None), "bar": (1, None),
    "overline": (1, None), "underline": (1, None), "vec": (1, None), "dot": (1, None), "ddot": (1, None),
    "check": (1, None), "breve": (1, None), "acute": (1, None), "grave": (1, None),
    "sqrt": (1, "√"), "frac": (2, "/"),
}
# Commands from packages a document may not load -> the nearest kernel command.
MATH_ALIASES = {
    "mathbb": "mathbf", "boldsymbol": "mathbf", "bm": "mathbf", "mathscr": "mathcal", "mathfrak": "mathrm",
    "operatorname": "mathrm", "dfrac": "frac", "tfrac": "frac", "leqslant": "leq", "geqslant": "geq",
    "varnothing": "emptyset", "lvert": "mid", "rvert": "mid", "bigstar": "star", "lbrack": "lbrace",
}
SYMBOL_ACCENTS = frozenset("'`^\"~=.")
LETTER_ACCENTS = frozenset("uvHcdbkrt")

