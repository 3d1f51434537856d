// `c5map serve` only: put into the pages the preview server sends, never into a built file.
// The server tells every open page of each build (Server-Sent Events): a page reloads when its own HTML changed
// (the URL, hash included, is kept), and shows the data's problems in a banner while the data is invalid.
(function() {
    'use strict';
    var script = document.currentScript;
    var page = script.getAttribute('data-page');
    var digest = script.getAttribute('data-digest');
    var BANNER_ID = 'c5map-serve-banner';
    var shown = '';  // the problems the banner shows, so that an unchanged list does not announce itself again

    function removeBanner() {
        var banner = document.getElementById(BANNER_ID);
        if (banner) { banner.remove(); }
        shown = '';
    }

    // Every string from the data goes in as text (textContent), never as HTML.
    function showBanner(summary, problems) {
        var key = JSON.stringify(problems);
        if (key === shown) { return; }
        removeBanner();
        shown = key;
        var banner = document.createElement('section');
        banner.id = BANNER_ID;
        banner.setAttribute('role', 'alert');
        banner.setAttribute('aria-labelledby', BANNER_ID + '-title');
        var title = document.createElement('h2');
        title.id = BANNER_ID + '-title';
        title.textContent = summary;
        banner.appendChild(title);
        var list = document.createElement('ul');
        problems.forEach(function(problem) {
            var item = document.createElement('li');
            item.textContent = problem;
            list.appendChild(item);
        });
        banner.appendChild(list);
        var hide = document.createElement('button');
        hide.type = 'button';
        hide.textContent = 'Hide';
        hide.addEventListener('click', function() { banner.hidden = true; });
        banner.appendChild(hide);
        document.body.appendChild(banner);
    }

    function onState(event) {
        var state = JSON.parse(event.data);
        var built = state.pages[page];
        if (built !== undefined && built !== digest) {
            window.location.reload();
            return;
        }
        if (state.problems.length) {
            showBanner(state.summary, state.problems);
        } else {
            removeBanner();
        }
    }

    // the page is named so that a rebuild renders the open pages first
    var events = new EventSource('/__c5map/events?page=' + encodeURIComponent(page));
    events.addEventListener('state', onState);
    events.addEventListener('open', function() { document.documentElement.setAttribute('data-c5map-serve', 'open'); });
    window.addEventListener('pagehide', function() { events.close(); });
})();
