// A fixed box on the map (title, legend, source line) holding already-escaped HTML.
function c5mapPanel(map, position, cssClass, html) {
    var panel = L.control({position: position});
    panel.onAdd = function() {
        var div = L.DomUtil.create('div', cssClass);
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    panel.addTo(map);
    return panel;
}
