// Place labels drawn by c5map: country names, capitals and named places, with a halo, never overlapping each
// other, the page's panels and controls, or a figure (anything drawn with the class c5-figure). Placed again
// after every move and zoom, greedily in priority order; a label that finds no free spot is left out.
// A country may carry the chosen view's figure under its name (packed.figures[view][iso3]): it moves and is left
// out with its name, never without it.
function c5mapLabels(map, packed) {
    // packed.styles: [kind, font, size] each; a label's row names its kind by its place in that list
    var styles = {};
    packed.styles.forEach(function(style) { styles[style[0]] = [style[1], style[2]]; });
    var FIGURE_FONT = styles.figure[0], FIGURE_SIZE = styles.figure[1];
    var KIND_FONT = styles.context[0], KIND_SIZE = styles.context[1];
    var labels = packed.labels.map(function(row) {
        var kind = packed.styles[row[0]][0], style = styles[kind];
        return {kind: kind, text: row[1], lon: row[2], lat: row[3], minZoom: row[4], font: style[0], size: style[1],
                iso3: row[5] || '', dot: kind === 'capital' || kind === 'place'};
    });
    var figures = {}, ranks = {};  // view -> code -> words, and -> its place in the view's order (largest first)
    Object.keys(packed.figures).forEach(function(name) {
        figures[name] = {}; ranks[name] = {};
        packed.figures[name].forEach(function(pair, k) { figures[name][pair[0]] = pair[1]; ranks[name][pair[0]] = k; });
    });
    var view = packed.view;
    map.on('baselayerchange', function(e) { view = e.name; });
    function figureOf(label) {
        if (!label.iso3) { return ''; }
        return (figures[view] && figures[view][label.iso3]) || (figures['*'] && figures['*'][label.iso3]) || '';
    }
    function rankOf(label) {
        var rank = label.iso3 && ranks[view] ? ranks[view][label.iso3] : undefined;
        return rank === undefined ? Infinity : rank;
    }
    var layer = L.DomUtil.create('div', 'c5-labels', map.getContainer());
    var measure = document.createElement('canvas').getContext('2d');
    var widths = {};
    function textWidth(font, text) {
        var key = font + '|' + text;
        if (!(key in widths)) {
            measure.font = font;
            widths[key] = Math.ceil(measure.measureText(text).width);
        }
        return widths[key];
    }
    function overlaps(a, b) {
        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    // the boxes (in the map's pixels, grown by ``margin``) of the elements that ``selector`` finds and that show
    function boxesOf(selector, origin, margin) {
        var boxes = [];
        map.getContainer().querySelectorAll(selector).forEach(function(element) { add(boxes, element, origin, margin); });
        return boxes;
    }
    function add(boxes, element, origin, margin) {
        var r = element.getBoundingClientRect();
        if (r.width && r.height) {
            boxes.push({left: r.left - origin.left - margin, top: r.top - origin.top - margin,
                        right: r.right - origin.left + margin, bottom: r.bottom - origin.top + margin});
        }
    }
    function obstacles(origin) {
        var boxes = boxesOf('.leaflet-control, .c5-timeline, .c5-arrow, .leaflet-tooltip', origin, 2);
        // proportional symbols and event markers are figures; a ground-sized area (L.Circle) may carry a label
        map.eachLayer(function(layer) {
            if (layer instanceof L.CircleMarker && !(layer instanceof L.Circle) && layer._path) {
                add(boxes, layer._path, origin, 2);
            }
        });
        return boxes;
    }
    // Figures written on the map (permanent tooltips centred on a deposit's area, which name it, then those beside
    // their symbol, each in the order drawn): each keeps its spot if it is free, else goes to the other side of
    // its symbol, above or below it, or a line or two up or down; always inside the map's edges, clear of the
    // panels and of the figures placed before it. One with no free spot is hidden: its symbol's tooltip gives it.
    function spreadFigures(origin, size) {
        var placed = boxesOf('.leaflet-control, .c5-timeline', origin, 2), tips = [];
        map.eachLayer(function(tip) {
            if (tip instanceof L.Tooltip && tip._container && /c5-figure-label/.test(tip.options.className)) {
                tips.push(tip);
            }
        });
        var onAreas = tips.filter(function(tip) { return tip.options.direction !== 'right'; });
        onAreas.concat(tips.filter(function(tip) { return tip.options.direction === 'right'; })).forEach(function(tip) {
            var element = tip._container;
            element.style.left = element.style.top = element.style.visibility = '';
            L.DomUtil.removeClass(element, 'c5-moved');
            var r = element.getBoundingClientRect();
            if (!r.width) { return; }
            var w = r.width, h = r.height, x = r.left - origin.left, y = r.top - origin.top;
            var p = map.latLngToContainerPoint(tip.getLatLng()), gap = x - p.x;  // beside: its symbol and arrow
            var spots = [[x, y], [x, y - h - 2], [x, y + h + 2], [x, y - 2 * h - 4], [x, y + 2 * h + 4]];
            if (tip.options.direction === 'right') {
                var off = tip.options.offset[0];
                spots = [[x, y], [p.x - gap - w, y], [p.x - w / 2, p.y - off - h - 2], [p.x - w / 2, p.y + off + 2],
                         [x, y - h - 2], [x, y + h + 2], [p.x - gap - w, y - h - 2], [p.x - gap - w, y + h + 2]];
            }
            for (var i = 0; i < spots.length; i++) {
                // kept inside the map's edges: a long name near an edge slides in
                var left = Math.max(4, Math.min(spots[i][0], size.x - 4 - w)), top = spots[i][1];
                var box = {left: left, top: top, right: left + w, bottom: top + h};
                if (top < 0 || box.bottom > size.y || placed.some(function(b) { return overlaps(b, box); })) {
                    continue;
                }
                placed.push(box);
                if (left !== x) { element.style.left = (left - x) + 'px'; }
                if (top !== y) { element.style.top = (top - y) + 'px'; }
                if (i > 0) { L.DomUtil.addClass(element, 'c5-moved'); }  // its arrow would point elsewhere
                return;
            }
            element.style.visibility = 'hidden';
        });
    }
    var pending = false;
    function place() {
        pending = false;
        layer.textContent = '';
        var zoom = map.getZoom(), size = map.getSize();
        var origin = map.getContainer().getBoundingClientRect();
        spreadFigures(origin, size);
        var taken = obstacles(origin);
        // a capital's or place's dot is where it is: each is drawn and kept free first, so no name placed before
        // its own (a country's, by priority) runs under it; the dot may sit under an arrowhead or event marker,
        // never on a figure or a panel (then neither it nor its name is drawn)
        var covering = boxesOf('.leaflet-control, .leaflet-tooltip, .c5-timeline', origin, 0);
        labels.forEach(function(label) {
            label.covered = false;
            if (!label.dot || zoom < label.minZoom) { return; }
            var p = map.latLngToContainerPoint([label.lat, label.lon]);
            if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) { return; }
            var dot = {left: p.x - 3, top: p.y - 3, right: p.x + 3, bottom: p.y + 3};
            if (covering.some(function(box) { return overlaps(box, dot); })) { label.covered = true; return; }
            taken.push(dot);
            var marker = L.DomUtil.create('span', 'c5-label-dot', layer);
            marker.style.left = (p.x - 2.5) + 'px';
            marker.style.top = (p.y - 2.5) + 'px';
        });
        // Labels of one kind (members, partners, capitals, ...) are placed in two passes: first each on its own
        // spot (centred on a country, right of a dot), then the rest on a spot beside it. Else a small country's
        // name pushed aside lands on its neighbour's spot and the neighbour, placed after it, loses its name.
        var tiers = [];
        labels.forEach(function(label) {
            if (zoom < label.minZoom) { return; }
            var last = tiers[tiers.length - 1];
            if (!last || last.kind !== label.kind) { tiers.push(last = {kind: label.kind, labels: []}); }
            last.labels.push(label);
        });
        tiers.forEach(function(tier) {
            // a country with a figure is named first: its two lines need the room more than a bare name
            tier.labels.sort(function(a, b) {
                var ra = rankOf(a), rb = rankOf(b);
                return ra === rb ? 0 : (ra < rb ? -1 : 1);
            });
            var aside = tier.labels.filter(function(label) { return !put(label, true); });
            var crowded = aside.filter(function(label) { return !put(label, false); });
            // where even that fails (a phone, a crowded region), the figure without its kind: the kind is in the
            // legend's heading and the tooltip, the figure and its qualifier stay on the map
            // and last, a figure further out with a line to its country: the story's figures are never left out
            // for want of room beside a capital's symbols
            crowded.forEach(function(label) {
                return put(label, true, true) || put(label, false, true) || (figureOf(label) && put(label, 'led', true));
            });
        });
        function put(label, ownSpot, valueOnly) {
            if (label.covered) { return true; }  // its dot is under a figure or panel: no name pointing at nothing
            var p = map.latLngToContainerPoint([label.lat, label.lon]);
            // the figure under the name; what kind of figure it is, "(investment committed)", on a line of its own
            // a region's figures: a line each, in the plain face (several figures, none singled out)
            var figure = figureOf(label), cut = figure.indexOf(' ('), listed = figure.indexOf('\n') >= 0;
            var value = cut > 0 ? figure.slice(0, cut) : figure, kind = cut > 0 && !valueOnly ? figure.slice(cut + 1) : '';
            var parts = listed ? figure.split('\n').map(function(text) { return [text, KIND_FONT, KIND_SIZE]; })
                : [[value, FIGURE_FONT, FIGURE_SIZE], [kind, KIND_FONT, KIND_SIZE]];
            var w = textWidth(label.font, label.text), line = label.size + 4, h = line;
            parts.forEach(function(part) {
                if (part[0]) { w = Math.max(w, textWidth(part[1], part[0])); h += part[2] + 3; }
            });
            // a place label sits to the right of its dot, else to the left; a country label is centred, else
            // above, below, beside or diagonal to its point, then a line further up or down
            // (a capital where an arc ends carries its event marker or arrowhead: then clear of it, or above, below)
            var spots = label.dot ? [[p.x + 6, p.y - h / 2], [p.x - 6 - w, p.y - h / 2], [p.x + 12, p.y - h / 2],
                                     [p.x - 12 - w, p.y - h / 2], [p.x - w / 2, p.y - 10 - h], [p.x - w / 2, p.y + 10],
                                     [p.x + 22, p.y - h / 2], [p.x - 22 - w, p.y - h / 2], [p.x + 8, p.y + 14],
                                     [p.x - 8 - w, p.y + 14], [p.x + 8, p.y - 14 - h], [p.x - 8 - w, p.y - 14 - h]]
                : [[p.x - w / 2, p.y - h / 2], [p.x - w / 2, p.y - 1.5 * h], [p.x - w / 2, p.y + h / 2],
                   [p.x - w, p.y - h / 2], [p.x, p.y - h / 2], [p.x, p.y - 1.5 * h], [p.x, p.y + h / 2],
                   [p.x - w, p.y - 1.5 * h], [p.x - w, p.y + h / 2], [p.x - w / 2, p.y - 2.5 * h],
                   [p.x - w / 2, p.y + 1.5 * h]];
            var led = ownSpot === 'led';
            if (led) {  // rings of spots around the point, nearest first, each joined to it by a leader line
                spots = [];
                [1, 2, 3].forEach(function(r) {
                    [[0, -1], [0, 1], [1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1]].forEach(function(d) {
                        spots.push([p.x + d[0] * (w / 2 + 22 * r) - w / 2, p.y + d[1] * (h / 2 + 16 * r) - h / 2]);
                    });
                });
            } else {
                spots = ownSpot ? spots.slice(0, 1) : spots.slice(1);
            }
            for (var i = 0; i < spots.length; i++) {
                var box = {left: spots[i][0], top: spots[i][1], right: spots[i][0] + w, bottom: spots[i][1] + h};
                if (box.left < 0 || box.top < 0 || box.right > size.x || box.bottom > size.y) { continue; }
                // the name may not cover anything, its own dot (drawn above) included
                if (taken.some(function(t) { return overlaps(t, box); })) { continue; }
                taken.push(box);
                if (led) { leader(p, box); }
                var element = L.DomUtil.create('span', 'c5-label ' + label.kind, layer);
                element.style.left = box.left + 'px';
                element.style.top = box.top + 'px';
                element.style.width = w + 'px';
                var name = L.DomUtil.create('span', 'c5-label-name', element);
                name.textContent = label.text;  // text, never HTML
                name.style.font = label.font;
                name.style.lineHeight = line + 'px';
                parts.forEach(function(part) {
                    if (!part[0]) { return; }
                    var span = L.DomUtil.create('span', 'c5-label-figure', element);
                    span.textContent = part[0];
                    span.style.font = part[1];
                    span.style.lineHeight = (part[2] + 3) + 'px';
                });
                return true;
            }
            return false;
        }
    }
    // a thin line from a country's point to the nearest edge of its label's box
    function leader(p, box) {
        var x = Math.max(box.left, Math.min(p.x, box.right)), y = Math.max(box.top, Math.min(p.y, box.bottom));
        var dx = x - p.x, dy = y - p.y, length = Math.sqrt(dx * dx + dy * dy);
        var line = L.DomUtil.create('span', 'c5-label-leader', layer);
        line.style.left = p.x + 'px';
        line.style.top = p.y + 'px';
        line.style.width = length + 'px';
        line.style.transform = 'rotate(' + Math.atan2(dy, dx) + 'rad)';
    }
    function later() {
        if (!pending) { pending = true; window.requestAnimationFrame(place); }
    }
    map.on('zoomend moveend resize overlayadd overlayremove baselayerchange', later);
    map.whenReady(later);
}
