// A fixed box on the map (title, legend, source line) holding already-escaped HTML.
function c5mapPanel(map, position, cssClass, html) {
    var panel = L.control({position: position});
    panel.onAdd = function() {
        var div = L.DomUtil.create('div', cssClass);
        div.innerHTML = html;
        // a button marked data-c5-toggle opens and folds its panel (the legend on a phone)
        div.querySelectorAll('[data-c5-toggle]').forEach(function(button) {
            button.addEventListener('click', function() {
                var open = div.classList.toggle('c5-open');
                button.setAttribute('aria-expanded', open ? 'true' : 'false');
            });
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    panel.addTo(map);
    return panel;
}

// On a narrow map the layer control folds into its button, so it covers neither the title nor the zoom buttons.
function c5mapCompactControls(map, view) {
    c5mapAttributionUnderSource(map);
    window.setTimeout(function() {  // after the page's script made the controls
        c5mapFoldControls(map);
        c5mapPhoneHeader(map);
        c5mapViewButtons(map);
        c5mapFitLegend(map);
        if (view) {
            c5mapOpenInFreeSpace(map, view);  // in the room the header and the buttons leave
        } else {
            map.getContainer().setAttribute('data-c5-opened', '');
        }
    }, 0);
}

// On a wide screen the legend never runs under the controls above it (a long list of partners): it scrolls in
// the height they leave. On a phone it folds behind its Key button (page.css).
function c5mapFitLegend(map) {
    var container = map.getContainer(), legend = container.querySelector('.c5-legend');
    if (!legend) { return; }
    function fit() {
        if (map.getSize().x < 640) { legend.style.maxHeight = ''; return; }
        var origin = container.getBoundingClientRect(), above = 0;
        container.querySelectorAll('.leaflet-top.leaflet-right .leaflet-control').forEach(function(control) {
            var r = control.getBoundingClientRect();
            if (r.height) { above = Math.max(above, r.bottom - origin.top); }
        });
        legend.style.boxSizing = 'border-box';
        legend.style.overflowY = 'auto';
        legend.style.maxHeight = Math.max(120, map.getSize().y - above - 20) + 'px';
        if (legend.scrollHeight > legend.clientHeight) {  // a keyboard reader can scroll it too
            legend.setAttribute('tabindex', '0');
            legend.setAttribute('role', 'region');
            legend.setAttribute('aria-label', 'Key');
        }
    }
    fit();
    map.on('resize', fit);
}

// On a phone the header is compact: the zoom buttons join the layer button on the right, so the title block
// takes the width; its subtitle shows three lines until the reader taps it (screen readers read it all).
function c5mapPhoneHeader(map) {
    if (map.getSize().x >= 640) { return; }
    if (map.zoomControl) { map.zoomControl.setPosition('topright'); }
    var title = map.getContainer().querySelector('.c5-title');
    var subtitle = title && title.querySelector('p:not(.c5-byline)');
    if (!subtitle) { return; }
    subtitle.setAttribute('aria-expanded', 'false');  // clamped by page.css from here
    if (subtitle.scrollHeight <= subtitle.clientHeight + 1) {  // three lines or fewer: nothing to open
        subtitle.removeAttribute('aria-expanded');
        return;
    }
    subtitle.setAttribute('role', 'button');
    subtitle.setAttribute('tabindex', '0');
    function toggle() {
        var open = title.classList.toggle('c5-open');
        subtitle.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    subtitle.addEventListener('click', toggle);
    subtitle.addEventListener('keydown', function(e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); }
    });
}

// On a phone the choice of view (one partner at a time) is the page's main control: a row of buttons at the
// map's foot, not a list behind the layer icon. The layer control's radio buttons stay the one source of truth:
// a button clicks its radio, and shows it pressed while that view is on.
function c5mapViewButtons(map) {
    var container = map.getContainer();
    function radios() { return container.querySelectorAll('.leaflet-control-layers-base input[type=radio]'); }
    if (map.getSize().x >= 640 || radios().length < 2) { return; }
    var buttons = [];
    var control = L.control({position: 'bottomleft'});
    control.onAdd = function() {
        var row = L.DomUtil.create('div', 'c5-views');
        row.setAttribute('role', 'group');
        row.setAttribute('aria-label', 'Choose what the map shows');
        radios().forEach(function(radio, k) {
            var button = L.DomUtil.create('button', '', row);
            button.type = 'button';
            button.textContent = radio.parentNode.textContent.trim();  // the layer's name, as text
            button.addEventListener('click', function() { radios()[k].click(); });
            buttons.push(button);
        });
        L.DomEvent.disableClickPropagation(row);
        L.DomEvent.disableScrollPropagation(row);
        return row;
    };
    control.addTo(map);  // a bottom corner's newest control goes on top: above the source line
    function sync() {
        var now = radios();
        buttons.forEach(function(button, k) {
            var on = !!(now[k] && now[k].checked);
            button.setAttribute('aria-pressed', on ? 'true' : 'false');
            var row = button.parentNode, left = button.offsetLeft - row.offsetLeft;
            if (on && (left < row.scrollLeft || left + button.offsetWidth > row.scrollLeft + row.clientWidth)) {
                row.scrollLeft = left - 8;  // the chosen view in sight, the row otherwise left as the reader put it
            }
        });
    }
    map.on('baselayerchange', sync);
    sync();
}

// The title block covers the top left of the map, the legend its right foot (a phone: its whole foot, the
// view buttons and the credits): the opening view fits the story in the room they leave. A shared link's own
// view wins (share.js), and the timeline fits itself (timeline.js).
function c5mapOpenInFreeSpace(map, view) {
    function fit() {
        var container = map.getContainer(), size = map.getSize();
        if (container.querySelector('.c5-timeline') || /(^#|&)at=/.test(window.location.hash)) { return; }
        var room = c5mapFreeRoom(map), top = room.top, bottom = room.bottom, right = room.right;
        if (bottom - top < size.y / 3) { return; }  // too little room left: keep Leaflet's own fit
        map.fitBounds(view, {paddingTopLeft: [6, top + 6], paddingBottomRight: [size.x - right + 6, size.y - bottom + 6],
                             animate: false});
    }
    // data-c5-opened: the page stands on its opening view (tests, and scripts embedding a page, wait for it)
    function opened() {
        try { fit(); } finally { map.getContainer().setAttribute('data-c5-opened', ''); }
    }
    L.Util.requestAnimFrame(function() { c5mapWhenSettled(map, opened); });
}

// The room the panels leave the map, in map pixels: {top, bottom, right}. The title block (and the buttons beside
// it) take the top, the legend a column on the right on a wide screen, the foot on a phone.
function c5mapFreeRoom(map) {
    var container = map.getContainer(), size = map.getSize(), phone = size.x < 640;
    var origin = container.getBoundingClientRect(), top = 0, bottom = size.y, right = size.x;
    container.querySelectorAll('.leaflet-top .leaflet-control').forEach(function(control) {
        var r = control.getBoundingClientRect();
        if (r.width && r.left - origin.left < size.x / 2) { top = Math.max(top, r.bottom - origin.top); }
    });
    container.querySelectorAll('.leaflet-bottom .leaflet-control').forEach(function(control) {
        var r = control.getBoundingClientRect();
        if (!r.width) { return; }
        if (!phone && r.left - origin.left > size.x / 2) {  // a desktop legend: a column on the right
            right = Math.min(right, r.left - origin.left);
        } else {
            bottom = Math.min(bottom, r.top - origin.top);
        }
    });
    if (right < size.x * 0.55) { right = size.x; }  // too wide a column to give up: the legend folds anyway
    return {top: top, bottom: bottom, right: right};
}

// Run ``then`` once the map stands still: the page's opening fit may still be zooming or panning (it starts on
// the next frame), and its end would undo a view set before it. At the latest after a second, should that
// movement never end (a page in a background tab gets no animation frames); never twice.
function c5mapWhenSettled(map, then) {
    if (!(map._animatingZoom || (map._panAnim && map._panAnim._inProgress))) { then(); return; }
    var done = false;
    var once = function() { if (!done) { done = true; map.off('moveend', once); then(); } };
    map.once('moveend', once);
    window.setTimeout(once, 1000);
}

// The tiles' attribution goes under the source line, bottom left: credits together, and on a phone it no longer
// runs across the width of the map under the source line and the legend's button.
function c5mapAttributionUnderSource(map) {
    var attribution = map.attributionControl;
    if (!attribution) { return; }
    attribution.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');  // the credit, without decoration
    attribution.setPosition('bottomleft');
    var container = attribution.getContainer();
    container.parentNode.appendChild(container);  // Leaflet puts a bottom control on top of its corner: move it down
}
function c5mapFoldControls(map) {
    if (map.getSize().x >= 640) { return; }
    document.querySelectorAll('.leaflet-control-layers').forEach(function(control) {
        control.classList.remove('leaflet-control-layers-expanded');
        var button = control.querySelector('.leaflet-control-layers-toggle');
        if (!button) { return; }
        button.setAttribute('role', 'button');
        button.setAttribute('aria-label', 'Layers');
        // opening is all a tap does: the button is hidden while the list is open (Leaflet also opens it on focus)
        L.DomEvent.on(button, 'click', function(e) {
            L.DomEvent.preventDefault(e);
            control.classList.add('leaflet-control-layers-expanded');
        });
        map.on('click', function() { control.classList.remove('leaflet-control-layers-expanded'); });
    });
}
