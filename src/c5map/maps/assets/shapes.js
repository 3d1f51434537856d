// Shapes travel as integers: each ring steps dx, dy, dx, dy, ... of 1/scale degree from the previous point (the
// first from 0, 0), decoded here into a GeoJSON FeatureCollection of MultiPolygons. The steps are written in the
// encoded polyline algorithm's alphabet (c5mapSteps); arithmetic, not bit operations: a step may pass 2^31.
function c5mapSteps(text) {
    var out = [], value = 0, shift = 1;
    for (var i = 0; i < text.length; i++) {
        var bits = text.charCodeAt(i) - 63;
        value += (bits % 32) * shift;
        if (bits >= 32) { shift *= 32; continue; }
        out.push(value % 2 ? -(value + 1) / 2 : value / 2);
        value = 0;
        shift = 1;
    }
    return out;
}

// A set drawn ``along`` another (a region's outline along its members) may write a ring as {r: [...]}: stretches
// [ring, position, length, direction] of the other set's rings (numbered in order, each without its closing
// point) and {p: [dx, dy, ...]} steps from the last point written.
function c5mapShapes(packed, along) {
    var scale = packed.s, rings = [];
    function ring(steps) {
        var out = [], x = 0, y = 0;
        function step(list) {
            for (var i = 0; i < list.length; i += 2) {
                x += list[i];
                y += list[i + 1];
                out.push([x, y]);
            }
        }
        if (steps.r) {
            steps.r.forEach(function(part) {
                if (part.p) { step(c5mapSteps(part.p)); return; }
                var other = along.rings[part[0]], size = other.length;
                for (var k = 0; k < part[2]; k++) {
                    var point = other[(((part[1] + part[3] * k) % size) + size) % size];
                    x = point[0];
                    y = point[1];
                    out.push([x, y]);
                }
            });
        } else {
            step(c5mapSteps(steps));
        }
        rings.push(out.slice(0, -1));
        return out.map(function(point) { return [point[0] / scale, point[1] / scale]; });
    }
    var shapes = {type: 'FeatureCollection', features: packed.f.map(function(item) {
        return {type: 'Feature', id: item[0], properties: {},
                geometry: {type: 'MultiPolygon', coordinates: item[1].map(function(p) { return p.map(ring); })}};
    })};
    shapes.rings = rings;  // integer points, for a set drawn along this one
    return shapes;
}

// Draw some of a shape set, one style and tooltip per shape id; shapes without a style are not drawn.
// ``pane``: one of the page's panes (order.js), or null for Leaflet's overlay pane.
function c5mapShapeLayer(group, shapes, styles, tips, pane) {
    function draw() {
        if (pane) { c5mapPane(group instanceof L.Map ? group : group._map, pane); }
        L.geoJson(shapes, {
            pane: pane || 'overlayPane',
            filter: function(f) { return styles.hasOwnProperty(f.id); },
            style: function(f) { return styles[f.id]; },
            onEachFeature: function(f, layer) {
                if (styles[f.id].interactive === false) { return; }
                if (tips[f.id]) { layer.bindTooltip(tips[f.id], {sticky: true}); }
                layer.on('mouseover', function() { layer.setStyle({weight: styles[f.id].weight + 2}); });
                layer.on('mouseout', function() { layer.setStyle({weight: styles[f.id].weight}); });
            }
        }).addTo(group);
    }
    // a layer hidden at first is built when the reader first turns it on: the first frame waits only for what shows
    if (group instanceof L.Map || group._map) { draw(); } else { group.once('add', draw); }
}
