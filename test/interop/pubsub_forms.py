"""Data forms the PubSub and PEP interop scripts submit with slixmpp's xep_0004."""
import slixmpp

# XEP-0402 §5: the bookmarks node's configuration, as publish-options.
BOOKMARK_OPTIONS = {'pubsub#persist_items': 'true', 'pubsub#access_model': 'whitelist', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never'}


def publish_options(fields):
    """A XEP-0060 §7.1.5 publish-options form with these field values."""
    form = slixmpp.plugins.xep_0004.stanza.Form()
    form['type'] = 'submit'
    form.add_field(var='FORM_TYPE', ftype='hidden', value='http://jabber.org/protocol/pubsub#publish-options')
    for var, value in fields.items():
        form.add_field(var=var, value=value)
    return form
