// A year slider: items up to the chosen year are drawn, that year's highlighted and listed (as text, never HTML).
function c5mapYearSlider(map, items, first, last) {
    var markers = items.map(function(item) {
        var marker = L.circleMarker([item.lat, item.lon], {
            radius: 7, color: '#ffffff', weight: 2, fillColor: item.colour, fillOpacity: 0.9,
            dashArray: item.approximate ? '3 3' : null, className: 'c5-timeline-item'
        });
        if (item.tip) { marker.bindTooltip(item.tip, {sticky: true}); }
        return marker;
    });
    var control = L.control({position: 'bottomleft'});
    control.onAdd = function() {
        var div = L.DomUtil.create('div', 'c5-slider');
        var year = L.DomUtil.create('div', 'c5-year', div);
        var input = L.DomUtil.create('input', 'c5-range', div);
        input.type = 'range'; input.min = first; input.max = last; input.step = 1; input.value = last;
        input.setAttribute('aria-label', 'Year');
        var list = L.DomUtil.create('ul', 'c5-list', div);
        function show(selected) {
            year.textContent = 'Up to ' + selected;
            list.innerHTML = '';
            items.forEach(function(item, i) {
                var marker = markers[i];
                if (item.year <= selected && item.lat !== null) {
                    marker.addTo(map);
                    marker.setStyle({fillOpacity: item.year === selected ? 0.95 : 0.35,
                                     radius: item.year === selected ? 9 : 6});
                } else {
                    marker.remove();
                }
                if (item.year === selected) {
                    var li = document.createElement('li');
                    li.textContent = item.label;  // text, never HTML
                    list.appendChild(li);
                }
            });
            if (!list.children.length) {
                var none = document.createElement('li');
                none.textContent = 'Nothing reported for ' + selected;
                list.appendChild(none);
            }
        }
        input.addEventListener('input', function() { show(parseInt(input.value, 10)); });
        L.DomEvent.disableClickPropagation(div);
        show(last);
        return div;
    };
    control.addTo(map);
}
