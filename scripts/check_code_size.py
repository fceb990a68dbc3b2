#!/usr/bin/env python3
"""The size bars of DESIGN.md and issue 16: no header over 600 lines and no function over 120
lines in include/ and tools/txmath/, except those listed below with the reason. Exit 1 with a
list of offenders (file:line, lines, name) otherwise.

    python3 scripts/check_code_size.py [ROOT]      (CTest runs it as `code_size`)

Functions are found by brace matching on the text with comments, strings and character
literals blanked: a `{` at namespace or class level whose statement holds a `(` (and is not a
namespace, class, enum or an initializer) opens a function; its length runs to the matching
`}`. Lambdas and local classes count toward the function that holds them.
"""
import os
import re
import sys

HEADER_LIMIT = 600
FUNCTION_LIMIT = 120

# path (from the root) -> why it may be longer.
HEADER_EXCEPTIONS = {
}
# "path:function name" -> why it may be longer.
FUNCTION_EXCEPTIONS = {
}


def blank(text):
    """Comments, string and character literals replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(first line, line count, signature) of each function defined at namespace/class level."""
    stack, statement, line, found = [], "", 1, []
    for c in blank(text):
        if c == "\n":
            line += 1
            # A preprocessor line ends at its newline (unless continued with a backslash).
            statement = "" if statement.startswith("#") and not statement.endswith("\\") else statement + " "
            continue
        if c == "#" and not statement.strip():
            statement = "#"
        if statement.startswith("#"):
            statement += c
            continue
        if c == "{":
            s = statement.strip()
            inside = any(kind != "scope" for kind, *_ in stack)
            is_function = (not inside and "(" in s and not re.match(r"(namespace|struct|class|enum|union)\b", s)
                           and not s.endswith("=") and not s.startswith("TXMATH_DEFINE_ERROR"))
            name = re.findall(r"([~\w:]+(?:<[^()]*>)?)\s*\(", s)
            stack.append(("function", line, name[0] if name else "?") if is_function
                         else ("scope" if not inside else "block",))
            statement = ""
        elif c == "}":
            kind = stack.pop() if stack else ("scope",)
            if kind[0] == "function":
                found.append((kind[1], line - kind[1] + 1, kind[2]))
            statement = ""
        elif c == ";" or (c == ")" and statement.strip().startswith("TXMATH_DEFINE_ERROR")):
            statement = ""
        else:
            statement += c
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems = []
    for top in ("include", os.path.join("tools", "txmath")):
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp")):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                lines = text.count("\n")
                if name.endswith(".hpp") and lines > HEADER_LIMIT and rel not in HEADER_EXCEPTIONS:
                    problems.append(f"{rel}: {lines} lines (the limit is {HEADER_LIMIT})")
                for first, count, signature in functions(text):
                    if count > FUNCTION_LIMIT and f"{rel}:{signature}" not in FUNCTION_EXCEPTIONS:
                        problems.append(f"{rel}:{first}: a function of {count} lines (the limit is "
                                        f"{FUNCTION_LIMIT}): {signature}")
    for p in problems:
        print("txmath: " + p)
    if problems:
        print(f"txmath: {len(problems)} over the size bars; split them, or list them with a reason in "
              "scripts/check_code_size.py")
        return 1
    print(f"code size: every header <= {HEADER_LIMIT} lines, every function <= {FUNCTION_LIMIT} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
