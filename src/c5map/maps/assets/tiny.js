// Members too small to see at the opening zoom (scenes/tiny.py): a disc each in the member's class colour, above the
// fills and the lines (the symbols pane, order.js). Each carries its member's own tooltip, taken from the member's
// shape once the view is drawn (shapes.js draws a view when it is first shown): the page writes it only once.
// ``points``: [iso3, lat, lon, Leaflet options, x, y]: x, y the screen pixels it is set off an event marker at its
// place, the same at every zoom (maps/influence.py: TinySymbols).
function c5mapTiny(group, points) {
    var discs = points.map(function(point) {
        var options = point[3];
        options.pane = 'c5-symbols';
        return [point[0], L.circleMarker([point[1], point[2]], options).addTo(group), point];
    });
    function place(map) {
        discs.forEach(function(item) {
            var point = item[2], at = L.latLng(point[1], point[2]);
            if (point[4] || point[5]) {
                item[1].setLatLng(map.unproject(map.project(at).add([point[4], point[5]])));
            }
        });
    }
    function share() {
        var map = group._map;
        place(map);
        map.on('zoomend', function() { place(map); });
        var shapes = {};
        group.eachLayer(function each(layer) {
            if (layer.feature && layer.getTooltip && layer.getTooltip()) { shapes[layer.feature.id] = layer; }
            else if (layer.eachLayer) { layer.eachLayer(each); }
        });
        discs.forEach(function(item) {
            var shape = shapes[item[0]];
            if (shape && !item[1].getTooltip()) {
                item[1].bindTooltip(shape.getTooltip().getContent(), {sticky: true});
            }
        });
    }
    if (group._map) { share(); } else { group.once('add', share); }
}
