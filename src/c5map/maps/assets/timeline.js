// The timeline page: a dated sequence beside the map. Every item is listed in date order, grouped by year
// (runs of empty years are one line); Previous / Play / Next step through them; the current item is written
// out in a live region, emphasised on the map, the map moved to it and its tooltip opened.
// Text from data goes in as textContent, never HTML (the tooltips are HTML escaped by tooltip_html).
// Wide maps get a panel on the right; narrow ones (phones) a bottom sheet whose list, and the legend
// ("Key"), open on demand, so most of the map stays in sight.
function c5mapTimeline(map, items, groups, options) {
    var container = map.getContainer();
    var GAP = 10, WIDE = 860, EDGE = 40, FLY_S = 0.8;
    var motion = !(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
    var current = -1, timer = null, wide = true, open = false, keyOpen = false;
    // Markers: all drawn; before one is chosen all alike; then earlier ones solid, the chosen one large
    // and outlined in ink, later ones small and faded. ``edge: true`` is the item's own outline colour.
    var STYLES = {
        all: {radius: 7, weight: 2, edge: true, opacity: 1, fillOpacity: 0.85},
        past: {radius: 6, weight: 2, edge: true, opacity: 1, fillOpacity: 0.85},
        now: {radius: 11, weight: 3, color: '#222222', opacity: 1, fillOpacity: 1},
        later: {radius: 5, weight: 1, edge: true, opacity: 0.7, fillOpacity: 0.35}
    };

    function make(tag, cls, parent, words) {
        var node = document.createElement(tag);
        if (cls) { node.className = cls; }
        if (words !== undefined) { node.textContent = words; }  // text, never HTML
        if (parent) { parent.appendChild(node); }
        return node;
    }
    function button(words, cls, parent) {
        var node = make('button', cls, parent, words);
        node.type = 'button';
        return node;
    }
    function each(nodes, f) { Array.prototype.forEach.call(nodes, f); }

    var markers = items.map(function(item, i) {
        if (item.lat === null || item.lon === null) { return null; }
        var marker = L.circleMarker([item.lat, item.lon], {
            radius: STYLES.all.radius, color: item.edge, weight: 2, fillColor: item.colour, fillOpacity: 0.85,
            dashArray: item.approximate ? '3 3' : null, className: 'c5-timeline-item',
            pane: c5mapPane(map, 'c5-symbols')  // order.js
        });
        marker.bindTooltip(item.tip, {sticky: true});
        marker.on('click', function() { stop(); choose(i, false); });
        marker.addTo(map);
        return marker;
    });

    var panel = make('section', 'c5-timeline c5-tl-wide');
    panel.setAttribute('aria-label', 'Timeline' + (options.span ? ', ' + options.span : ''));
    var now = make('div', 'c5-tl-now', panel);
    now.setAttribute('role', 'status');
    now.setAttribute('aria-live', 'polite');
    var nowWhen = make('div', 'c5-tl-when', now);
    var nowWhat = make('div', 'c5-tl-what', now);
    var nowMore = make('div', 'c5-tl-more', now);
    var controls = make('div', 'c5-tl-controls', panel);
    var prev = button('Previous', 'c5-tl-prev', controls);
    var play = button('Play', 'c5-tl-play', controls);
    var next = button('Next', 'c5-tl-next', controls);
    var legend = container.querySelector('.c5-legend');
    var key = legend ? button('Key', 'c5-tl-key', controls) : null;
    var count = make('span', 'c5-tl-count', controls);
    var toggle = button('', 'c5-tl-toggle', panel);
    var list = make('ol', 'c5-tl-list', panel);
    list.id = container.id + '-timeline-list';
    list.setAttribute('aria-label', 'Every item, in date order');
    toggle.setAttribute('aria-controls', list.id);

    var entries = [];
    groups.forEach(function(group) {
        if (group.year === null) {  // a run of years with nothing
            make('li', 'c5-tl-gap', list, group.label);
            return;
        }
        var year = make('li', 'c5-tl-year', list);
        var label = make('div', 'c5-tl-year-label', year, group.label);
        var n = group.items.length;
        make('span', 'c5-tl-year-count', label, n + (n === 1 ? ' item' : ' items'));
        var inner = make('ol', null, year);
        group.items.forEach(function(i) {
            var item = items[i];
            var entry = button(undefined, 'c5-tl-entry c5-tl-' + item.kind, make('li', null, inner));
            var dot = make('span', 'c5-tl-dot', entry);
            dot.setAttribute('aria-hidden', 'true');
            if (markers[i]) {
                dot.style.backgroundColor = item.colour;
                dot.style.borderColor = item.edge;
                if (item.approximate) { dot.classList.add('c5-tl-dashed'); }
            } else {
                dot.classList.add('c5-tl-unplaced');
            }
            make('span', 'c5-tl-date', entry, item.when);
            make('span', 'c5-tl-text', entry, item.text);
            entry.dataset.index = String(i);
            entry.dataset.id = item.id;
            entry.addEventListener('click', function() {
                stop();
                if (!wide && open) { setOpen(false, true); }
                choose(i, true);
            });
            entries[i] = entry;
        });
    });

    function restyle() {
        markers.forEach(function(marker, k) {
            if (!marker) { return; }
            var state = current < 0 ? 'all' : (k < current ? 'past' : (k === current ? 'now' : 'later'));
            var style = STYLES[state];
            marker.setStyle({radius: style.radius, weight: style.weight, opacity: style.opacity,
                             fillOpacity: style.fillOpacity, color: style.edge ? items[k].edge : style.color});
            var path = marker.getElement();
            if (path) {
                path.classList.toggle('c5-tl-chosen', state === 'now');
                path.classList.toggle('c5-tl-faded', state === 'later');
            }
            if (state === 'now') { marker.bringToFront(); }
        });
    }

    function disable(node, off) { node.setAttribute('aria-disabled', off ? 'true' : 'false'); }

    function showState() {
        var item = items[current];
        if (!item) {
            nowWhen.textContent = options.span ? 'All items, ' + options.span : 'All items';
            nowWhat.textContent = items.length + (items.length === 1 ? ' item' : ' items') + ' in date order';
            nowMore.textContent = 'Press Play, step with Next, or choose one from the list.';
            count.textContent = '';
        } else {
            nowWhen.textContent = item.when;
            nowWhat.textContent = item.text;
            var notes = [];
            if (item.detail) { notes.push(item.detail); }
            if (!markers[current]) { notes.push(items[current].region ? 'Not on the map: a region-level figure, about the region as a whole.' : 'Not on the map: no place given.'); }
            else if (item.approximate) { notes.push('Placed on the country or region, not a city or site.'); }
            nowMore.textContent = notes.join(' · ');
            count.textContent = (current + 1) + ' of ' + items.length;
        }
        disable(prev, current <= 0);
        disable(next, current >= items.length - 1);
        entries.forEach(function(entry, k) {
            if (k === current) { entry.setAttribute('aria-current', 'true'); }
            else { entry.removeAttribute('aria-current'); }
            entry.classList.toggle('c5-tl-past', current >= 0 && k < current);
        });
    }

    // Keep an entry in sight in the list (by scrolling the list only: scrollIntoView would scroll the map too).
    function reveal(entry) {
        if (!entry || !list.clientHeight) { return; }
        var r = entry.getBoundingClientRect(), l = list.getBoundingClientRect();
        var label = entry.closest('.c5-tl-year').querySelector('.c5-tl-year-label');
        var head = label ? label.offsetHeight : 0;
        if (r.top < l.top + head) { list.scrollTop -= l.top + head - r.top; }
        else if (r.bottom > l.bottom) { list.scrollTop += r.bottom - l.bottom; }
    }

    function choose(i, move) {
        if (i < 0 || i >= items.length) { return; }
        current = i;
        restyle();
        showState();
        if (!wide) { layout(); }  // the sheet's height follows the item's text: the boxes above it follow
        reveal(entries[i]);
        var marker = markers[i];
        markers.forEach(function(other) { if (other && other !== marker) { other.closeTooltip(); } });
        if (marker) {
            if (move) { moveTo(marker.getLatLng()); }
            marker.openTooltip(marker.getLatLng());
        }
    }

    function setPlaying(on) {
        play.textContent = on ? 'Pause' : 'Play';
        panel.classList.toggle('c5-tl-playing', on);
    }
    function stop() {
        if (timer !== null) { clearInterval(timer); timer = null; }
        setPlaying(false);
    }
    function start() {
        if (!wide && open) { setOpen(false, false); }
        choose(current < 0 || current >= items.length - 1 ? 0 : current + 1, true);
        if (current >= items.length - 1) { return; }
        setPlaying(true);
        timer = setInterval(function() {
            if (current >= items.length - 1) { stop(); return; }
            choose(current + 1, true);
            if (current >= items.length - 1) { stop(); }
        }, options.stepMs);
    }

    prev.addEventListener('click', function() {
        if (current <= 0) { return; }
        stop();
        choose(current - 1, true);
    });
    next.addEventListener('click', function() {
        if (current >= items.length - 1) { return; }
        stop();
        choose(current + 1, true);
    });
    play.addEventListener('click', function() { if (timer !== null) { stop(); } else { start(); } });
    toggle.addEventListener('click', function() { setOpen(!open, false); });
    if (key) { key.addEventListener('click', function() { keyOpen = !keyOpen; layout(); }); }

    // Up / Down / Home / End move between the entries of the list; Enter or Space chooses one.
    list.addEventListener('keydown', function(event) {
        var at = entries.indexOf(document.activeElement);
        if (at < 0) { return; }
        var to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: entries.length - 1}[event.key];
        if (to === undefined) { return; }
        event.preventDefault();
        to = Math.max(0, Math.min(entries.length - 1, to));
        entries[to].focus({preventScroll: true});
        reveal(entries[to]);
    });

    function setOpen(on, refocus) {
        var hadFocus = list.contains(document.activeElement);
        open = on;
        layout();
        if (on) { reveal(entries[current] || entries[0]); }
        if (!on && (hadFocus || refocus)) { toggle.focus({preventScroll: true}); }
    }

    // The map's own boxes (title, zoom, legend, source line, scale, attribution): the panel keeps clear of them.
    function furniture() {
        var found = [];
        each(container.querySelectorAll('.leaflet-control-container > div'), function(corner) {
            var top = corner.classList.contains('leaflet-top');
            each(corner.children, function(control) {
                var rect = control.getBoundingClientRect();
                if (rect.width > 0 && rect.height > 0) { found.push({top: top, rect: rect}); }
            });
        });
        return found;
    }

    function layout() {
        var box = container.getBoundingClientRect();
        var bottoms = container.querySelectorAll('.leaflet-control-container > .leaflet-bottom');
        wide = box.width >= WIDE;
        panel.classList.toggle('c5-tl-wide', wide);
        panel.classList.toggle('c5-tl-sheet', !wide);
        panel.classList.toggle('c5-tl-open', !wide && open);
        container.classList.toggle('c5-tl-narrow-map', !wide);  // compact tooltips there (timeline.css)
        container.classList.toggle('c5-tl-key-hidden', !wide && !keyOpen);  // the legend, until "Key"
        if (key) { key.setAttribute('aria-expanded', wide || keyOpen ? 'true' : 'false'); }
        toggle.textContent = open ? 'Hide the list' : 'All ' + items.length + ' items';
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
        each(bottoms, function(corner) { corner.style.bottom = ''; });
        // The two bottom corners (source line and scale; legend and attribution), stacked, the right one
        // on the left one, when side by side they would overlap (a narrow map).
        var corners = {left: null, right: null}, controls = {left: [], right: []};
        // beside the column, the source line wraps short of the legend rather than push the legend up
        var source = container.querySelector('.leaflet-bottom.leaflet-left .c5-source');
        var legend = container.querySelector('.leaflet-bottom.leaflet-right .c5-legend');
        if (source) { source.style.maxWidth = ''; }
        if (source && legend && wide) {
            var room = legend.getBoundingClientRect().left - source.getBoundingClientRect().left - GAP;
            if (room >= 240) { source.style.boxSizing = 'border-box'; source.style.maxWidth = room + 'px'; }
        }
        each(bottoms, function(corner) {
            var side = corner.classList.contains('leaflet-left') ? 'left' : 'right';
            corners[side] = corner;
            each(corner.children, function(control) {
                var rect = control.getBoundingClientRect();
                if (rect.width > 0 && rect.height > 0) { controls[side].push(rect); }
            });
        });
        // the right corner rises only above the left controls it would cover (a narrow credit line does not)
        var foot = corners.left ? corners.left.getBoundingClientRect().bottom : 0, over = 0;
        controls.left.forEach(function(a) {
            if (controls.right.some(function(b) { return a.right > b.left; })) { over = Math.max(over, foot - a.top); }
        });
        var clash = over > 0;
        var heights = {left: corners.left ? corners.left.offsetHeight : 0,
                       right: corners.right ? corners.right.offsetHeight : 0};
        function lift(base) {
            if (corners.left) { corners.left.style.bottom = base + 'px'; }
            if (corners.right) { corners.right.style.bottom = (base + over) + 'px'; }
        }
        if (wide) {
            // A column on the right, between whatever sits above and below it there.
            lift(0);
            list.style.maxHeight = '';
            var left = box.width - GAP - panel.offsetWidth;
            var top = GAP, bottom = GAP;
            furniture().forEach(function(f) {
                if (f.rect.right - box.left <= left - GAP / 2) { return; }  // clear of the column
                if (f.top) { top = Math.max(top, f.rect.bottom - box.top + GAP); }
                else { bottom = Math.max(bottom, box.bottom - f.rect.top + GAP); }
            });
            panel.style.top = top + 'px';
            panel.style.bottom = bottom + 'px';
        } else {
            // A bottom sheet; the bottom corners sit above it, and an open list stops under the title.
            panel.style.top = 'auto';
            panel.style.bottom = '0px';
            var under = 0;
            furniture().forEach(function(f) { if (f.top) { under = Math.max(under, f.rect.bottom - box.top); } });
            var stack = clash ? Math.max(heights.left, over + heights.right) : Math.max(heights.left, heights.right);
            if (open) {
                var rest = panel.offsetHeight - list.offsetHeight;
                list.style.maxHeight = Math.max(box.height - under - GAP - stack - rest, 96) + 'px';
            } else {
                list.style.maxHeight = '';
            }
            lift(panel.offsetHeight);
        }
    }

    // What of the map is hidden (px from each edge): by the panel, and by the boxes around it.
    function hidden() {
        var box = container.getBoundingClientRect(), own = panel.getBoundingClientRect();
        var pad = {left: 0, top: 0, right: 0, bottom: 0};
        furniture().forEach(function(f) {
            if (wide && f.rect.left >= own.left - GAP) { return; }  // in the panel's column: covered by pad.right
            if (f.top) { pad.top = Math.max(pad.top, f.rect.bottom - box.top); }
            else { pad.bottom = Math.max(pad.bottom, box.bottom - f.rect.top); }
        });
        if (wide) { pad.right = box.right - own.left; }
        else { pad.bottom = Math.max(pad.bottom, box.bottom - own.top); }
        return pad;
    }

    // Move the map so a point is in the part of it not hidden, if it is not there already.
    function moveTo(latlng) {
        var pad = hidden(), size = map.getSize(), p = map.latLngToContainerPoint(latlng);
        if (p.x > pad.left + EDGE && p.x < size.x - pad.right - EDGE &&
            p.y > pad.top + EDGE && p.y < size.y - pad.bottom - EDGE) { return; }
        var zoom = map.getZoom();
        var shift = L.point((pad.right - pad.left) / 2, (pad.bottom - pad.top) / 2);
        var centre = map.unproject(map.project(latlng, zoom).add(shift), zoom);
        if (motion) { map.flyTo(centre, zoom, {duration: FLY_S}); }
        else { map.setView(centre, zoom, {animate: false}); }
    }

    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    container.appendChild(panel);
    showState();
    layout();
    map.on('resize', layout);
    if (window.ResizeObserver) {  // the legend or title may change size (fonts, layers): keep clear of them
        var watcher = new ResizeObserver(function() { layout(); });
        each(container.querySelectorAll('.leaflet-control-container > div'), function(corner) {
            watcher.observe(corner);
        });
    }
    // Open on the region, in the part of the map the panel leaves free. The page's own opening fit may
    // still be animating (it starts on the next frame and would undo this one): then this waits for its end.
    function openView() {
        var pad = hidden();
        map.fitBounds(options.view, {
            paddingTopLeft: [0, wide ? 0 : pad.top],
            paddingBottomRight: [pad.right, wide ? 0 : pad.bottom],
            animate: false
        });
        panel.classList.add('c5-tl-ready');
    }
    L.Util.requestAnimFrame(function() { c5mapWhenSettled(map, openView); });  // panel.js
    return {choose: choose, play: start, stop: stop};
}
