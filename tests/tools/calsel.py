"""Calico selectors for the emitter's test tools: parse and evaluate.

An independent implementation of doc/selector-grammar.md (sections 1-4)
in Python, checked against calico/selector-vectors.tsv by the tests. It is a
test oracle, not the product: the product's parser is policy/selector.c.
"""
import re

_TOKEN = re.compile(r"""
    (?P<ws>[ \t]+)
  | (?P<has>has\([ \t]*(?P<hasl>[A-Za-z0-9_./-]+)[ \t]*\))
  | (?P<all>all\([ \t]*\))
  | (?P<glob>global\([ \t]*\))
  | (?P<str>"[^"]*"|'[^']*')
  | (?P<op>==|!=|&&|\|\||[!(){},])
  | (?P<id>[A-Za-z0-9_./-]+)
""", re.X)
_WORDOP = re.compile(r"(contains|starts[ \t]*with|ends[ \t]*with|not[ \t]*in|in)"
                     r"(?![A-Za-z0-9_./-])")


class SelectorError(ValueError):
    pass


def _tokens(s):
    i, toks, prev = 0, [], None
    while i < len(s):
        m = _TOKEN.match(s, i)
        if not m:
            raise SelectorError("unexpected character at byte %d" % i)
        kind, text = m.lastgroup, m.group()
        if kind in ("hasl",):
            kind = "has"
        if kind in ("has", "all", "glob") and prev == "label":
            raise SelectorError("expected operator at byte %d" % i)
        if kind == "id":
            if prev == "label":
                w = _WORDOP.match(s, i)
                if not w:
                    raise SelectorError("expected operator at byte %d" % i)
                toks.append(("op", re.sub(r"[ \t]+", "", w.group(1))))
                i = w.end()
                prev = "op"
                continue
            if len(text) > 512:
                raise SelectorError("label longer than 512 bytes at byte %d" % i)
            toks.append(("label", text))
            prev = "label"
        elif kind == "has":
            if len(m.group("hasl")) > 512:
                raise SelectorError("label longer than 512 bytes")
            toks.append(("has", m.group("hasl")))
            prev = "has"
        elif kind == "str":
            toks.append(("str", text[1:-1]))
            prev = "str"
        elif kind != "ws":
            toks.append((kind, text))
            prev = kind
        i = m.end()
    return toks


def parse(s):
    """Return an AST (nested tuples) or raise SelectorError."""
    if "\n" in s or "\r" in s:
        raise SelectorError("newline in selector")
    toks = _tokens(s)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else (None, None)

    def take():
        t = peek()
        pos[0] += 1
        return t

    def primary():
        neg = 0
        while peek() == ("op", "!"):
            take()
            neg ^= 1
        k, t = take()
        if (k, t) == ("op", "("):
            node = orx()
            if take() != ("op", ")"):
                raise SelectorError("expected )")
        elif k == "has":
            node = ("has", t)
        elif k in ("all", "glob"):
            node = ("all",)
        elif k == "label":
            ok, op = take()
            if ok != "op":
                raise SelectorError("expected operator after %r" % t)
            if op in ("==", "!=", "contains", "startswith", "endswith"):
                sk, sv = take()
                if sk != "str":
                    raise SelectorError("expected string after %s" % op)
                node = (op, t, sv)
            elif op in ("in", "notin"):
                if take() != ("op", "{"):
                    raise SelectorError("expected {")
                vals = set()
                while peek() != ("op", "}"):
                    sk, sv = take()
                    if sk != "str":
                        raise SelectorError("expected string in set")
                    vals.add(sv)
                    if peek() == ("op", ","):
                        take()
                    elif peek() != ("op", "}"):
                        raise SelectorError("expected , or }")
                take()
                node = (op, t, frozenset(vals))
            else:
                raise SelectorError("bad operator %r" % op)
        else:
            raise SelectorError("expected a term, got %r" % (t,))
        return ("not", node) if neg else node

    def andx():
        n = [primary()]
        while peek() == ("op", "&&"):
            take()
            n.append(primary())
        return n[0] if len(n) == 1 else ("and",) + tuple(n)

    def orx():
        n = [andx()]
        while peek() == ("op", "||"):
            take()
            n.append(andx())
        return n[0] if len(n) == 1 else ("or",) + tuple(n)
    if not toks:
        return ("all",)
    node = orx()
    if pos[0] != len(toks):
        raise SelectorError("unexpected content at end of selector")
    return node


def prefixed(node, prefix):
    """Prefix every label (Calico's PrefixVisitor, for pcns./pcsa.)."""
    op = node[0]
    if op == "all":
        return node
    if op == "has":
        return ("has", prefix + node[1])
    if op in ("and", "or"):
        return (op,) + tuple(prefixed(n, prefix) for n in node[1:])
    if op == "not":
        return ("not", prefixed(node[1], prefix))
    return (op, prefix + node[1], node[2])


def match(node, labels):
    op = node[0]
    if op == "all":
        return True
    if op == "has":
        return node[1] in labels
    if op == "and":
        return all(match(n, labels) for n in node[1:])
    if op == "or":
        return any(match(n, labels) for n in node[1:])
    if op == "not":
        return not match(node[1], labels)
    k, v = node[1], node[2]
    if op == "!=":
        return labels.get(k) != v
    if op == "notin":
        return labels.get(k) not in v
    if k not in labels:
        return False
    x = labels[k]
    if op == "in":
        return x in v
    if op == "==":
        return x == v
    if op == "contains":
        return v in x
    if op == "startswith":
        return x.startswith(v)
    return x.endswith(v)
