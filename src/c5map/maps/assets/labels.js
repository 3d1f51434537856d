// Place labels drawn by c5map: country names, capitals and named places, with a halo, never overlapping each
// other, the page's panels and controls, or a figure (anything drawn with the class c5-figure). Placed again
// after every move and zoom, greedily in priority order; a label that finds no free spot is left out.
function c5mapLabels(map, packed) {
    var labels = packed.labels.map(function(row) {
        var style = packed.styles[row[0]];
        return {kind: row[0], text: row[1], lon: row[2], lat: row[3], minZoom: row[4], font: style[0], size: style[1],
                dot: row[0] === 'capital' || row[0] === 'place'};
    });
    var layer = L.DomUtil.create('div', 'c5-labels', map.getContainer());
    var measure = document.createElement('canvas').getContext('2d');
    var widths = {};
    function width(label) {
        var key = label.font + '|' + label.text;
        if (!(key in widths)) {
            measure.font = label.font;
            widths[key] = Math.ceil(measure.measureText(label.text).width);
        }
        return widths[key];
    }
    function overlaps(a, b) {
        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    function obstacles(origin) {
        var boxes = [];
        function add(element) {
            var r = element.getBoundingClientRect();
            if (r.width && r.height) {
                boxes.push({left: r.left - origin.left - 2, top: r.top - origin.top - 2,
                            right: r.right - origin.left + 2, bottom: r.bottom - origin.top + 2});
            }
        }
        map.getContainer().querySelectorAll('.leaflet-control, .c5-timeline, .c5-arrow, .leaflet-tooltip').forEach(add);
        // proportional symbols and event markers are figures; a ground-sized area (L.Circle) may carry a label
        map.eachLayer(function(layer) {
            if (layer instanceof L.CircleMarker && !(layer instanceof L.Circle) && layer._path) { add(layer._path); }
        });
        return boxes;
    }
    var pending = false;
    function place() {
        pending = false;
        layer.textContent = '';
        var zoom = map.getZoom(), size = map.getSize();
        var origin = map.getContainer().getBoundingClientRect();
        var taken = obstacles(origin);
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
            var aside = tier.labels.filter(function(label) { return !put(label, true); });
            aside.forEach(function(label) { put(label, false); });
        });
        function put(label, ownSpot) {
            var p = map.latLngToContainerPoint([label.lat, label.lon]);
            var w = width(label), h = label.size + 4;
            // a place label sits to the right of its dot, else to the left; a country label is centred, else
            // above, below, beside or diagonal to its point, then a line further up or down
            var spots = label.dot ? [[p.x + 6, p.y - h / 2], [p.x - 6 - w, p.y - h / 2]]
                : [[p.x - w / 2, p.y - h / 2], [p.x - w / 2, p.y - 1.5 * h], [p.x - w / 2, p.y + h / 2],
                   [p.x - w, p.y - h / 2], [p.x, p.y - h / 2], [p.x, p.y - 1.5 * h], [p.x, p.y + h / 2],
                   [p.x - w, p.y - 1.5 * h], [p.x - w, p.y + h / 2], [p.x - w / 2, p.y - 2.5 * h],
                   [p.x - w / 2, p.y + 1.5 * h]];
            spots = ownSpot ? spots.slice(0, 1) : spots.slice(1);
            for (var i = 0; i < spots.length; i++) {
                var box = {left: spots[i][0], top: spots[i][1], right: spots[i][0] + w, bottom: spots[i][1] + h};
                if (box.left < 0 || box.top < 0 || box.right > size.x || box.bottom > size.y) { continue; }
                // the dot may sit under an arrowhead (the arc ends at that capital); the name may not cover anything
                var dot = label.dot ? {left: p.x - 3, top: p.y - 3, right: p.x + 3, bottom: p.y + 3} : null;
                if (taken.some(function(t) { return overlaps(t, box); })) { continue; }
                taken.push(box);
                if (dot) {
                    taken.push(dot);
                    var marker = L.DomUtil.create('span', 'c5-label-dot', layer);
                    marker.style.left = (p.x - 2.5) + 'px';
                    marker.style.top = (p.y - 2.5) + 'px';
                }
                var element = L.DomUtil.create('span', 'c5-label ' + label.kind, layer);
                element.textContent = label.text;  // text, never HTML
                element.style.left = box.left + 'px';
                element.style.top = box.top + 'px';
                element.style.font = label.font;
                element.style.lineHeight = h + 'px';
                return true;
            }
            return false;
        }
    }
    function later() {
        if (!pending) { pending = true; window.requestAnimationFrame(place); }
    }
    map.on('zoomend moveend resize overlayadd overlayremove baselayerchange', later);
    map.whenReady(later);
}
