"""Circuit diagrams drawn from the engine's own graph (matplotlib only, no Graphviz).

Chapter 3 (:ref:`ch3-circuits`).  ``draw_circuit(f)`` draws the expression that
computed the tensor ``f`` as a circuit of gates, in the style of the cs231n
notes: inputs on the left, the output on the right, and on every wire the
forward value above (green) and the gradient flowing back along that wire
below (red).  The gradients come from :func:`companion.engine.reverse_pass`,
which leaves every ``.grad`` untouched, so drawing has no side effects.

A constant operand is folded into its gate's label, so ``x + 1`` is one gate
``+1`` and ``1 / x`` is one gate ``1/x``, as in the hand-drawn originals.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from .engine import Tensor, reverse_pass, topological_order

__all__ = ["draw_circuit", "circuit_layout", "gate_label"]  # noqa: RUF022 (reading order)

VALUE_COLOR = "#1b7837"
GRAD_COLOR = "#b2182b"
MAX_WIDTH = 7.6  # inches: at 100 dpi the picture fits the book's column at full size
LABEL_SIZE, GATE_SIZE, NAME_SIZE, TITLE_SIZE, LEGEND_SIZE = 9.5, 10.5, 11.5, 11, 9


def _number(a, precision: int) -> str:
    a = np.asarray(a)
    if a.shape == ():
        text = f"{float(a):.{precision}f}"
        return "0." + "0" * precision if text == "-0." + "0" * precision else text
    return "×".join(str(n) for n in a.shape)  # a non-scalar wire shows its shape


def gate_label(t: Tensor, precision: int = 2) -> str:
    """The text inside a gate: the op's symbol, with a scalar constant operand folded in."""
    prim = t.primitive
    if prim is None:
        return t.label
    if prim.gate is not None:  # an op that shows its parameters, e.g. **2
        return prim.gate.format(**t.params)
    consts = [(i, p) for i, p in enumerate(t.parents) if not p.requires_grad]
    if len(consts) == 1 and len(t.parents) == 2 and consts[0][1].data.shape == ():
        i, c = consts[0]
        value = f"{float(c.data):g}"
        if prim.ordered and i == 0:  # c / x, c - x
            return f"{value}{prim.symbol}x"
        return f"{prim.symbol}{value}"
    return prim.symbol


def circuit_layout(root: Tensor):
    """Place the circuit of ``root``: ``(positions, wires)``.

    ``positions`` maps ``id(tensor)`` to ``(x, y)``; ``wires`` lists, for every
    input of every gate, ``(parent, child, k, points)`` with ``k`` the input's
    index and ``points`` the polyline from parent to child.

    A layered drawing (Sugiyama's method): an input sits in column 0 and a gate
    one column right of its rightmost input; a wire that skips columns gets a
    waypoint in each column it crosses, so that it is routed around the gates
    there rather than through them; a few sweeps order each column by the mean
    position of its neighbours, which removes most crossings.
    """
    order = topological_order(root)
    column: dict = {}
    for t in order:
        parents = [p for p in t.parents if p.requires_grad]
        column[id(t)] = 1 + max((column[id(p)] for p in parents), default=-1)
    layers: dict[int, list] = {}
    preds: dict = {}
    succs: dict = {}

    def add_node(key, c):
        layers.setdefault(c, []).append(key)
        preds.setdefault(key, [])
        succs.setdefault(key, [])

    for t in order:
        add_node(id(t), column[id(t)])
    chains = []
    for t in order:
        for k, p in enumerate(t.parents):
            if not p.requires_grad:
                continue
            chain = [id(p)]
            for c in range(column[id(p)] + 1, column[id(t)]):
                key = ("via", id(t), k, c)
                add_node(key, c)
                chain.append(key)
            chain.append(id(t))
            for a, b in pairwise(chain):
                succs[a].append(b)
                preds[b].append(a)
            chains.append((p, t, k, chain))
    n_cols = max(layers) + 1

    def index_in(c):
        return {key: i for i, key in enumerate(layers[c])}

    for _ in range(4):
        for cols, nbrs, side in ((range(1, n_cols), preds, -1),
                                 (range(n_cols - 2, -1, -1), succs, +1)):
            for c in cols:
                ref = index_in(c + side)
                current = index_in(c)
                layers[c].sort(key=lambda key: np.mean([ref[n] for n in nbrs[key]])
                               if nbrs[key] else current[key])
    y: dict = {}
    for c in range(n_cols):
        last = -np.inf
        for i, key in enumerate(layers[c]):
            want = np.mean([y[n] for n in preds[key]]) if preds[key] else float(i)
            y[key] = max(want, last + 1.0)
            last = y[key]
    positions = {key: (column[key], y[key]) for key in column}
    wires = []
    for p, t, k, chain in chains:
        points = [(positions[chain[0]][0], y[chain[0]])]
        points += [(key[3], y[key]) for key in chain[1:-1]]
        points.append((positions[chain[-1]][0], y[chain[-1]]))
        wires.append((p, t, k, points))
    return positions, wires


def _overlap(a, b) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return max(dx, 0.0) * max(dy, 0.0)


def _along(points, fraction):
    """The point at ``fraction`` of a polyline's length, and the unit direction there."""
    pts = np.asarray(points, dtype=float)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    target = fraction * seg.sum()
    for (a, b), length in zip(pairwise(pts), seg):
        if target <= length or length == seg[-1]:
            point = a + (b - a) * (min(target, length) / length if length else 0.0)
            return point, ((b - a) / length if length else np.array([1.0, 0.0]))
        target -= length
    return pts[-1], np.array([1.0, 0.0])


def draw_circuit(root: Tensor, ax=None, *, precision: int = 2, title: str | None = None,
                 grad=None):
    """Draw the circuit that computed ``root``, with values above and gradients below each wire.

    Parameters
    ----------
    root : Tensor, the output of the expression (a scalar unless ``grad`` is given).
    ax : matplotlib Axes, optional (a new figure sized to the circuit if omitted).
    precision : decimals shown for each value and gradient.
    title : optional title.
    grad : the gradient arriving at ``root`` (default 1 for a scalar).

    Returns
    -------
    ax : the Axes drawn on.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch

    steps = {id(s.node): s for s in reverse_pass(root, grad)}
    positions, wires = circuit_layout(root)
    n_cols = 1 + max(c for c, _ in positions.values())
    ys = [r for _, r in positions.values()] + [pt[1] for *_, pts in wires for pt in pts]
    # Geometry is in data units (an inch when the circuit is drawn at full size); text is
    # in points and does not shrink.  A wide circuit is drawn at ``scale`` inches per unit,
    # to fit the page's column (MAX_WIDTH inches), so its text takes more data units:
    # rows are spaced for the text, and the boxes kept free around names are measured.
    sx = float(np.clip(10.0 / (n_cols + 0.4), 1.7, 2.3))
    x_span = 1.7 + sx * (n_cols - 1) + 0.75 * sx
    if ax is None:
        fig_width = min(x_span, MAX_WIDTH)
    else:
        fig_width = ax.get_position().width * ax.figure.get_figwidth()
    scale = fig_width / x_span
    sy = max(1.0, 1.2 / scale)
    if ax is None:
        height = scale * sy * (max(ys) - min(ys) + 1.4)
        top, bottom = 0.35, 0.45  # inches for the title above and the legend below
        fig = plt.figure(figsize=(fig_width, height + top + bottom))
        ax = fig.add_axes((0.0, bottom / (height + top + bottom), 1.0,
                           height / (height + top + bottom)))

    def to_xy(point):
        return point[0] * sx, -point[1] * sy

    radius = 0.34
    obstacles = []
    name_texts = []
    nodes = topological_order(root)
    for t in nodes:
        x, y = to_xy(positions[id(t)])
        if t.op is None:
            name_texts.append(ax.text(x - 0.05, y, t.name or "input", ha="right",
                                      va="center", fontsize=NAME_SIZE, fontweight="bold"))
            continue
        ax.add_patch(Circle((x, y), radius, facecolor="#f7f7f7", edgecolor="#333333",
                            linewidth=1.2, zorder=3))
        ax.text(x, y, gate_label(t), ha="center", va="center", fontsize=GATE_SIZE, zorder=4)
        obstacles.append((x - radius, y - radius, x + radius, y + radius))
        if t.name and t is not root:
            name_texts.append(ax.text(x, y + radius + 0.04, t.name, ha="center",
                                      va="bottom", fontsize=GATE_SIZE,
                                      fontstyle="italic"))

    labels = []
    drawn_pairs: dict = {}
    for parent, child, k, points in wires:
        pts = [np.array(to_xy(p)) for p in points]
        pair = (id(parent), id(child))
        repeat = drawn_pairs.get(pair, 0)
        drawn_pairs[pair] = repeat + 1
        if repeat:  # the same tensor feeds this gate again (x * x): bend this wire away
            a, b = pts[-2], pts[-1]
            bend = (a + b) / 2 + np.array([0.0, -0.55 * repeat * sy])
            pts = pts[:-1] + [bend, b]
        first = pts[1] - pts[0]
        last = pts[-1] - pts[-2]
        pts[0] = pts[0] + (first / np.linalg.norm(first)) * (0.1 if parent.op is None
                                                             else radius)
        pts[-1] = pts[-1] - (last / np.linalg.norm(last)) * radius
        for a, b in pairwise(pts[:-1]):
            ax.plot([a[0], b[0]], [a[1], b[1]], color="#555555", linewidth=1.0, zorder=2)
        ax.add_patch(FancyArrowPatch(tuple(pts[-2]), tuple(pts[-1]), arrowstyle="-|>",
                                     mutation_scale=10, color="#555555", linewidth=1.0,
                                     zorder=2))
        sent = steps[id(child)].sent[k]
        labels.append((pts, _number(parent.data, precision), _number(sent, precision)))

    x, y = to_xy(positions[id(root)])
    start = np.array([x + (radius if root.op is not None else 0.1), y])
    end = np.array([x + 0.75 * sx, y])
    ax.add_patch(FancyArrowPatch(tuple(start), tuple(end), arrowstyle="-|>",
                                 mutation_scale=10, color="#555555", linewidth=1.0))
    labels.append(([start, end], _number(root.data, precision),
                   _number(steps[id(root)].received, precision)))
    if root.name:
        ax.text(end[0] + 0.1, y, root.name, ha="left", va="center", fontsize=NAME_SIZE,
                fontweight="bold")

    ax.set_xlim(-1.0, end[0] + 0.7)
    ax.set_ylim(-sy * (max(ys) + 0.7), sy * (0.7 - min(ys)))
    ax.set_aspect("equal")
    ax.apply_aspect()  # fix the data-to-pixel transform now, so text can be measured
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()

    def extent(texts):
        """The data-coordinate box around the rendered texts, as (x0, y0, x1, y1)."""
        boxes = [to_data.transform(t.get_window_extent(renderer)) for t in texts]
        return (min(b[0][0] for b in boxes), min(b[0][1] for b in boxes),
                max(b[1][0] for b in boxes), max(b[1][1] for b in boxes))

    # Points along every wire: a label should not sit on another wire (a crossing).
    wire_points = []
    for index, (pts, _, _) in enumerate(labels):
        for a, b in pairwise(pts):
            n = max(2, int(np.linalg.norm(b - a) / 0.05))
            for t in np.linspace(0.0, 1.0, n):
                wire_points.append((index, *(a + t * (b - a))))
    wire_points = np.array(wire_points)
    obstacles += [extent([t]) for t in name_texts]

    def crossings(box, index):
        others = wire_points[wire_points[:, 0] != index]
        inside = ((others[:, 1] > box[0]) & (others[:, 1] < box[2]) &
                  (others[:, 2] > box[1]) & (others[:, 2] < box[3]))
        return 0.01 * int(inside.sum())

    # Each wire's pair of labels goes where its rendered text overlaps nothing drawn so far
    # and no other wire: the value on the wire's upper side, the gradient on its lower
    # side, each just clear of the wire (the distance a box of the label's size needs
    # along the wire's normal, plus a small gap).
    points_per_unit = (ax.transData.transform((1.0, 0.0)) -
                       ax.transData.transform((0.0, 0.0)))[0] * 72.0 / ax.figure.dpi
    gap = 1.5 / points_per_unit

    def place(top, bottom, fraction, pts):
        point, (ux, uy) = _along(pts, fraction)
        normal = np.array([-uy, ux]) if ux >= 0 else np.array([uy, -ux])  # pointing up
        for text, side in ((top, 1.0), (bottom, -1.0)):
            text.set_position(tuple(point))
            x0, y0, x1, y1 = extent([text])
            reach = (x1 - x0) / 2 * abs(normal[0]) + (y1 - y0) / 2 * abs(normal[1])
            text.set_position(tuple(point + side * (gap + reach) * normal))
        return extent((top, bottom))

    candidates = (0.45, 0.3, 0.6, 0.2, 0.72, 0.38, 0.52, 0.12, 0.82, 0.66, 0.25)
    for index, (pts, value, gradient) in enumerate(labels):
        top = ax.text(0, 0, value, color=VALUE_COLOR, ha="center", va="center",
                      fontsize=LABEL_SIZE, fontweight="bold", zorder=5)
        bottom = ax.text(0, 0, gradient, color=GRAD_COLOR, ha="center", va="center",
                         fontsize=LABEL_SIZE, zorder=5)
        best = None
        for fraction in candidates:
            box = place(top, bottom, fraction, pts)
            cost = sum(_overlap(box, other) for other in obstacles) + crossings(box, index)
            if best is None or cost < best[0] - 1e-12:
                best = (cost, fraction)
            if cost == 0:
                break
        obstacles.append(place(top, bottom, best[1], pts))

    ax.axis("off")
    ax.set_title(title or "", fontsize=TITLE_SIZE)
    ax.plot([], [], color=VALUE_COLOR, label="forward value (above the wire)")
    ax.plot([], [], color=GRAD_COLOR, label="gradient (below the wire)")
    ax.legend(loc="upper left", fontsize=LEGEND_SIZE, frameon=False,
              bbox_to_anchor=(0.0, 0.0))
    return ax
