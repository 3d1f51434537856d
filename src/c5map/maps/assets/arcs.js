// Flow lines drawn above every fill and border, under the symbols (their own pane, order.js), with an arrowhead
// at the destination end.
// The arrowhead's angle is the last segment's in Web Mercator, which is conformal: the same at every zoom.
// ``packed``: each stretch of the line as integer steps [dlat, dlon, ...] of 1/1000 degree from the point before.
function c5mapArc(group, map, packed, options, tip) {
    var lat = 0, lon = 0;
    var parts = packed.map(function(steps) {
        var stretch = [];
        for (var i = 0; i < steps.length; i += 2) {
            lat += steps[i];
            lon += steps[i + 1];
            stretch.push([lat / 1000, lon / 1000]);
        }
        return stretch;
    });
    options.pane = c5mapPane(map, 'c5-arcs');
    var line = L.polyline(parts, options);
    if (tip) { line.bindTooltip(tip, {sticky: true}); }
    line.addTo(group);
    var last = parts[parts.length - 1];
    if (last.length < 2) { return; }
    var from = map.project(last[last.length - 2], 0), to = map.project(last[last.length - 1], 0);
    var angle = Math.atan2(to.y - from.y, to.x - from.x) * 180 / Math.PI;
    var size = Math.max(10, options.weight * 2.5);
    var svg = '<svg width="' + size + '" height="' + size + '" viewBox="-10 -10 20 20" style="transform: rotate(' +
        angle.toFixed(1) + 'deg)"><path d="M 10 0 L -8 -8 L -4 0 L -8 8 Z" fill="' + options.color + '"/></svg>';
    L.marker(last[last.length - 1], {
        pane: 'c5-arcs', interactive: false, keyboard: false,
        icon: L.divIcon({className: 'c5-arrow', html: svg, iconSize: [size, size], iconAnchor: [size / 2, size / 2]})
    }).addTo(group);
}
