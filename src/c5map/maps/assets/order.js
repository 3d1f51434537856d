// The order of what a page draws, whatever the reader switches: fills, then borders and the region's outline, then
// flow lines, then symbols and events, then figure labels, each in a Leaflet pane of its own (a layer added later
// stays in its pane, so a partner's fills switched on never cover the outline or the events). The place labels
// (labels.js) lie above the map's panes, the panels above them, and the tooltips above everything, placed inside
// the map. The zoom is bounded: out to where the region still fills a good part of the map, in to what the
// borders were simplified for.
function c5mapPane(map, name) {
    var order = {'c5-fills': 410, 'c5-borders': 420, 'c5-arcs': 450, 'c5-symbols': 470, 'c5-figures': 480};
    if (!map.getPane(name)) { map.createPane(name).style.zIndex = order[name] || 400; }
    return name;
}

// ``options``: view [[south, west], [north, east]] (the opening view), maxZoom, zoomOut, groundZoom (the deepest
// zoom at which the basemap's own borders are drawn). shapes.py: LayerOrder.
function c5mapOrder(map, options) {
    ['c5-fills', 'c5-borders', 'c5-arcs', 'c5-symbols', 'c5-figures'].forEach(function(name) { c5mapPane(map, name); });
    c5mapTipsOnTop(map);
    c5mapZoomBounds(map, options.view, options.maxZoom, options.zoomOut);
    c5mapGround(map, options.groundZoom);
}

// Out to ``zoomOut`` zooms short of the one that fits the opening view at the map's size (never below 2), in to
// ``maxZoom``, whatever the tiles: with none, Leaflet would zoom from 0 to 18 over the same 1:110m land.
function c5mapZoomBounds(map, view, maxZoom, zoomOut) {
    map.setMaxZoom(maxZoom);
    function bound() {
        var size = map.getSize();
        if (!size.x || !size.y) { return; }
        map.setMinZoom(Math.max(2, Math.min(map.getBoundsZoom(view) - zoomOut, maxZoom - 1)));
    }
    bound();
    map.on('resize', bound);
}

// The land drawn without tiles (page.py: Natural Earth 1:110m, already in the overlay pane when this runs) is true
// to a small scale: deeper, its borders would run beside the page's own 1:10m borders as slivers. There only its
// land is drawn, and the borders are the page's own.
function c5mapGround(map, groundZoom) {
    var ground = map.getPane('overlayPane').querySelectorAll('path');
    if (!ground.length || groundZoom === undefined || groundZoom === null) { return; }
    ground.forEach(function(path) { path.classList.add('c5-ground'); });
    function detail() { map.getContainer().classList.toggle('c5-ground-coarse', map.getZoom() > groundZoom); }
    detail();
    map.on('zoomend', detail);
}

// Tooltips leave the map pane for a pane of their own above the labels (z-index 460) and the panels (1000), moved
// with the map; each is placed beside what it describes, inside the map and off the panels where there is room.
function c5mapTipsOnTop(map) {
    var pane = map.getPane('tooltipPane'), mapPane = map.getPane('mapPane');
    if (map._c5Tips) { return; }
    map._c5Tips = true;
    map.getContainer().appendChild(pane);
    pane.style.zIndex = 1100;
    function follow() { L.DomUtil.setPosition(pane, L.DomUtil.getPosition(mapPane)); }
    map.on('move zoom viewreset resize zoomend moveend', follow);
    follow();
    // opaque: nothing drawn under a card shows through its text (Leaflet's default is 0.9)
    map.on('tooltipopen', function(e) { if (!e.tooltip.options.permanent) { e.tooltip.setOpacity(1); } });
    if (L.Tooltip.prototype._c5Placed) { return; }
    var leaflets = L.Tooltip.prototype._setPosition;
    L.Tooltip.prototype._c5Placed = true;
    L.Tooltip.prototype._setPosition = function(pos) {
        if (this.options.permanent || !this._map || !this._map._c5Tips) { return leaflets.call(this, pos); }
        c5mapPlaceTip(this, pos);
    };
}

// Place a tooltip near its point (``pos``, a layer point): beside it, else under or over it, kept inside the map
// with a margin, covering the point itself and the panels as little as it can. Its arrow points at the point.
function c5mapPlaceTip(tooltip, pos) {
    var map = tooltip._map, box = tooltip._container, size = map.getSize();
    var p = map.layerPointToContainerPoint(pos), M = 8, G = 12;  // margin to the map's edge, gap to the point
    // a card as wide as its text, 200 to 340 px (at least 260 on a phone), never wider than the map
    var room = size.x - 2 * M;
    box.style.maxWidth = Math.min(340, room) + 'px';
    box.style.minWidth = Math.min(size.x < 640 ? 260 : 200, room) + 'px';
    box.style.maxHeight = '';
    box.classList.remove('c5-tip-cut');
    if (box.offsetHeight > size.y - 2 * M) {  // taller than the map: cut, rather than run off it
        box.style.maxHeight = (size.y - 2 * M) + 'px';
        box.classList.add('c5-tip-cut');
    }
    var w = box.offsetWidth, h = box.offsetHeight;
    var origin = map.getContainer().getBoundingClientRect();
    var panels = [];
    map.getContainer().querySelectorAll('.leaflet-control, .c5-timeline').forEach(function(element) {
        var r = element.getBoundingClientRect();
        if (r.width && r.height) {
            panels.push({left: r.left - origin.left, top: r.top - origin.top,
                         right: r.right - origin.left, bottom: r.bottom - origin.top});
        }
    });
    function clamp(value, low, high) { return Math.max(low, Math.min(value, Math.max(low, high))); }
    function overlap(a, b) {
        return Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
               Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    }
    var sides = [['right', p.x + G, p.y - h / 2], ['left', p.x - G - w, p.y - h / 2],
                 ['bottom', p.x - w / 2, p.y + G], ['top', p.x - w / 2, p.y - G - h]];
    if (p.x > size.x / 2) { sides = [sides[1], sides[0], sides[2], sides[3]]; }  // towards the middle of the map
    var best = null;
    sides.forEach(function(side, rank) {
        var x = clamp(side[1], M, size.x - M - w), y = clamp(side[2], M, size.y - M - h);
        var card = {left: x, top: y, right: x + w, bottom: y + h};
        var cost = rank;  // a side in the preferred order, other things equal
        if (p.x > card.left - 4 && p.x < card.right + 4 && p.y > card.top - 4 && p.y < card.bottom + 4) {
            cost += 1e7;  // covers what the reader points at
        }
        panels.forEach(function(panel) { cost += overlap(card, panel); });
        cost += Math.abs(x - side[1]) + Math.abs(y - side[2]);  // moved off its place beside the point
        if (best === null || cost < best.cost) { best = {cost: cost, side: side[0], x: x, y: y}; }
    });
    ['right', 'left', 'top', 'bottom'].forEach(function(side) {
        L.DomUtil.removeClass(box, 'leaflet-tooltip-' + side);
    });
    L.DomUtil.addClass(box, 'leaflet-tooltip-' + best.side);
    // the arrow points at the point, along the card's edge; none if the card was moved past it
    var along = best.side === 'left' || best.side === 'right' ? p.y - best.y : p.x - best.x;
    var length = best.side === 'left' || best.side === 'right' ? h : w;
    var gap = {right: best.x - p.x, left: p.x - best.x - w, bottom: best.y - p.y, top: p.y - best.y - h}[best.side];
    box.style.setProperty('--c5-arrow', clamp(along, 10, length - 10) + 'px');
    box.classList.toggle('c5-tip-no-arrow', along < 10 || along > length - 10 || Math.abs(gap - G) > 1);
    L.DomUtil.setPosition(box, map.containerPointToLayerPoint([best.x, best.y]).round());
}
