// Shapes travel as integers: each ring a flat list [dx, dy, dx, dy, ...] of steps of 1/scale degree from the
// previous point (the first from 0, 0), decoded here into a GeoJSON FeatureCollection of MultiPolygons.
function c5mapShapes(packed) {
    var scale = packed.s;
    function ring(steps) {
        var out = [], x = 0, y = 0;
        for (var i = 0; i < steps.length; i += 2) {
            x += steps[i];
            y += steps[i + 1];
            out.push([x / scale, y / scale]);
        }
        return out;
    }
    return {type: 'FeatureCollection', features: packed.f.map(function(item) {
        return {type: 'Feature', id: item[0], properties: {},
                geometry: {type: 'MultiPolygon', coordinates: item[1].map(function(p) { return p.map(ring); })}};
    })};
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
