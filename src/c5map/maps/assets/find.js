// Search and full screen, top right (issue 25 item 3): a search box over the page's own features (every shape,
// line and symbol with a tooltip, in every view, and the views themselves), and a full-screen button. Our own:
// folium's plugins load leaflet-search and leaflet.fullscreen from a CDN, which a --self-contained page cannot.
function c5mapFind(map, labels) {
    var control = L.control({position: 'topright'}), box, input, list, status, found = [], active = -1;
    control.onAdd = function() {
        box = L.DomUtil.create('div', 'c5-find leaflet-bar');
        var form = c5mapMake('form', {'class': 'c5-find-form', role: 'search'}, box);
        input = c5mapMake('input', {type: 'search', 'aria-label': labels.search, placeholder: labels.search,
            role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'c5-find-list'},
            form);
        list = c5mapMake('ul', {'class': 'c5-find-list', id: 'c5-find-list', role: 'listbox',
                                'aria-label': labels.results}, form);
        status = c5mapMake('p', {'class': 'c5-find-status', role: 'status'}, form);
        var open = c5mapToolButton(box, labels.search, '<circle cx="7" cy="7" r="4.5"/><path d="M10.5 10.5l4 4"/>');
        open.setAttribute('aria-expanded', 'false');
        open.addEventListener('click', function() { show(!box.classList.contains('c5-find-open')); });
        c5mapFullscreenButton(box, map, labels);
        form.addEventListener('submit', function(e) { e.preventDefault(); pick(active < 0 ? 0 : active); });
        input.addEventListener('input', function() { found = c5mapFindMatches(map, input.value); draw(); });
        input.addEventListener('keydown', function(e) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                if (found.length) { active = (active + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length; }
                draw(true);
            } else if (e.key === 'Escape') {
                show(false);
                open.focus();
            }
        });
        function show(on) {
            box.classList.toggle('c5-find-open', on);
            open.setAttribute('aria-expanded', on ? 'true' : 'false');
            if (on) { input.focus(); } else { input.value = ''; found = []; draw(); }
        }
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    };
    function draw(keepActive) {
        if (!keepActive) { active = found.length ? 0 : -1; }
        list.innerHTML = '';
        found.forEach(function(hit, k) {
            var item = c5mapMake('li', {id: 'c5-find-' + k, role: 'option', 'aria-selected': String(k === active)},
                                 list);
            item.textContent = hit.title;
            if (hit.detail) { L.DomUtil.create('small', '', item).textContent = hit.detail; }
            item.addEventListener('click', function() { pick(k); });
        });
        input.setAttribute('aria-expanded', found.length ? 'true' : 'false');
        // said by screen readers; shown when nothing matches, so a sighted reader is told too
        status.textContent = !input.value.trim() ? '' : found.length ? labels.found.replace('{n}', found.length)
                                                                      : labels.none;
        status.classList.toggle('c5-find-none', !!input.value.trim() && !found.length);
        if (active >= 0) { input.setAttribute('aria-activedescendant', 'c5-find-' + active); }
        else { input.removeAttribute('aria-activedescendant'); }
    }
    function pick(k) {
        var hit = found[k];
        if (!hit) { return; }
        found = [];
        draw();
        status.textContent = '';  // chosen: nothing left to say
        status.classList.remove('c5-find-none');
        c5mapFlyToHit(map, hit);
    }
    control.addTo(map);
    return control;
}

// An element with these attributes, put at the end of ``parent``.
function c5mapMake(tag, attributes, parent) {
    var element = parent.appendChild(document.createElement(tag));
    Object.keys(attributes).forEach(function(name) { element.setAttribute(name, attributes[name]); });
    return element;
}

// A square button of the tools bar, with an SVG icon drawn in strokes.
function c5mapToolButton(box, label, icon) {
    var button = c5mapMake('button', {'class': 'c5-tool', type: 'button', title: label, 'aria-label': label}, box);
    button.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="none" ' +
        'stroke="currentColor" stroke-width="2">' + icon + '</svg>';
    return button;
}

// Full screen for the whole page (its dialogs too), where the browser allows it: inside an iframe only with
// ``allowfullscreen`` (the embed code has it). Where it is not allowed the button is not shown.
function c5mapFullscreenButton(box, map, labels) {
    var doc = document, root = doc.documentElement;
    if (!doc.fullscreenEnabled) { return; }  // Safari on an iPhone, or an iframe not allowed
    var button = c5mapToolButton(box, labels.fullscreen, '<path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4"/>');
    button.classList.add('c5-fullscreen');
    function now() { return doc.fullscreenElement; }
    button.addEventListener('click', function() {
        if (now()) { doc.exitFullscreen(); } else { root.requestFullscreen(); }
    });
    function sync() {
        var on = !!now();
        button.setAttribute('aria-pressed', on ? 'true' : 'false');
        button.title = on ? labels.exit : labels.fullscreen;
        button.setAttribute('aria-label', button.title);
        map.invalidateSize();
    }
    doc.addEventListener('fullscreenchange', sync);
    sync();
}

// Every feature with a tooltip, on the map or in a layer not shown (the layer control's), and the views.
function c5mapFindIndex(map) {
    var entries = [], seen = {}, holder = document.createElement('div');
    function plain(html) {
        holder.innerHTML = String(html).replace(/<br\s*\/?>/gi, ' · ');
        return holder.textContent.replace(/\s+/g, ' ').trim();
    }
    function walk(layer, view) {
        var id = L.stamp(layer);
        if (seen[id]) { return; }
        seen[id] = true;
        var tip = layer.getTooltip && layer.getTooltip(), html = tip && tip.getContent();
        if (typeof html === 'string' && !tip.options.permanent) {
            holder.innerHTML = html;
            var head = holder.querySelector('b');
            entries.push({layer: layer, view: view, title: (head ? head.textContent : '').trim(), text: plain(html)});
        }
        if (layer.eachLayer) { layer.eachLayer(function(child) { walk(child, view); }); }
    }
    // folium's layer control is a script's own ``let``; the layers it was given are a global ``var``
    var given = Object.values(window).find(function(v) { return v && v.base_layers && v.overlays; }) || {};
    var views = given.base_layers || {}, overlays = given.overlays || {};
    Object.keys(views).forEach(function(name) { walk(views[name], views[name]); });
    Object.keys(overlays).forEach(function(name) { walk(overlays[name], overlays[name]); });
    map.eachLayer(function(layer) { walk(layer, null); });
    Object.keys(views).forEach(function(name) {
        entries.push({layer: null, view: views[name], title: plain(name), text: plain(name)});
    });
    return entries;
}

// The entries that match ``query`` (case and accents ignored), best first: a title that is the query, that
// starts with it, that holds it, then a tooltip that holds it (a deal, a site); in the view shown first.
function c5mapFindMatches(map, query) {
    function fold(text) { return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
    var q = fold(query.trim());
    if (!q) { return []; }
    var hits = [], titles = {};
    c5mapFindIndex(map).forEach(function(entry, order) {
        var title = fold(entry.title), text = fold(entry.text), at = text.indexOf(q);
        var rank = title === q ? 0 : title.indexOf(q) === 0 ? 1 : title.indexOf(q) > 0 ? 2 : at >= 0 ? 3 : -1;
        if (rank < 0) { return; }
        var shown = !entry.view || map.hasLayer(entry.view), detail = '';
        if (rank === 3) {  // where the words are, in the tooltip's text
            detail = (at > 30 ? '…' : '') + entry.text.slice(Math.max(0, at - 30), at + q.length + 40) + '…';
        }
        hits.push({entry: entry, title: entry.title || entry.text, detail: detail,
                   key: [rank, shown ? 0 : 1, entry.layer && entry.layer.getBounds ? 0 : 1, order]});
    });
    hits.sort(function(a, b) {
        for (var i = 0; i < 4; i++) { if (a.key[i] !== b.key[i]) { return a.key[i] - b.key[i]; } }
        return 0;
    });
    return hits.filter(function(hit) {  // one line per title and what it says: a member's shape and its symbol
        var key = hit.title + '|' + hit.detail;
        if (titles[key]) { return false; }
        titles[key] = true;
        return true;
    }).slice(0, 8);
}

// Show the hit's view (through the layer control, which stays the one source of truth), fly to it in the room
// the panels leave, and open its tooltip when the map stands still.
function c5mapFlyToHit(map, hit) {
    var entry = hit.entry, layer = entry.layer;
    if (entry.view && !map.hasLayer(entry.view)) {
        var radio = [].find.call(map.getContainer().querySelectorAll('.leaflet-control-layers-selector'),
            function(input) { return input.layerId === L.stamp(entry.view); });
        if (radio) { radio.click(); } else { map.addLayer(entry.view); }
    }
    var target = layer || entry.view;
    var bounds = target.getBounds ? target.getBounds() : L.latLngBounds([target.getLatLng()]);
    if (!bounds.isValid()) { return; }
    var room = c5mapFreeRoom(map), size = map.getSize();
    var options = {paddingTopLeft: [20, room.top + 20], paddingBottomRight: [size.x - room.right + 20,
                   size.y - room.bottom + 20], maxZoom: Math.max(map.getZoom(), Math.min(map.getMaxZoom(), 7)),
                   duration: 0.6};
    var done = false;
    function open() {
        if (done) { return; }
        done = true;
        if (layer && layer.openTooltip) { layer.openTooltip(); }
    }
    map.once('moveend', function() { window.setTimeout(open, 0); });
    window.setTimeout(open, 1500);  // no flight when it is already in view
    map.flyToBounds(bounds, options);
}
