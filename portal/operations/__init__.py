"""What a city's IT team runs the portal with: the Prometheus metrics endpoint
(``metrics``), a request id on every log line of a request and of the tasks it queues
(``request_ids``), and the backup and restore of the database with the stored files
(``backup``; ``manage.py backup_portal`` / ``restore_portal``). See docs/deploy.md.
"""
