"""partnership lifecycle, check-ins, impact, audit log, retention

Revision ID: bf9685c39347
Revises: d1fcf966ba6c
Create Date: 2026-11-23 10:54:51.478264

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bf9685c39347'
down_revision = 'd1fcf966ba6c'
branch_labels = None
depends_on = None


def upgrade():
    # Existing partnerships get empty aims (server_default) so the NOT NULL columns can be added.
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_event_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_created_at'), ['created_at'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Enum('going_well', 'slow_start', 'not_working', name='check_in_answer', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_check_in_answered_by_id_user')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_check_in_partnership_id_partnership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_check_in_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('partnership_id', 'school_id', 'weeks', name=op.f('uq_check_in_partnership_id'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_school_id'), ['school_id'], unique=False)

    op.create_table('impact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('what_changed', sa.Text(), nullable=False),
    sa.Column('pupils_reached', sa.Integer(), nullable=False),
    sa.Column('staff_reached', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('quote', sa.String(length=500), nullable=False),
    sa.Column('quote_shareable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pupils_reached >= 0 AND staff_reached >= 0', name=op.f('ck_impact_reach_positive')),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_impact_rating_range')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_impact_author_id_user')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_impact_partnership_id_partnership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_impact_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact')),
    sa.UniqueConstraint('partnership_id', 'school_id', name=op.f('uq_impact_partnership_id'))
    )
    with op.batch_alter_table('impact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_impact_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_impact_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_impact_school_id'), ['school_id'], unique=False)

    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aims_what', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('aims_who', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('aims_difference', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('aims_evidence', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('time_commitment', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('aims_set_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_partnership_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_partnership_aims_set_by_id_user'), 'user', ['aims_set_by_id'], ['id'])

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_partnership_aims_set_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_partnership_status'))
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('completed_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('agreed_at')
        batch_op.drop_column('aims_set_by_id')
        batch_op.drop_column('ends_on')
        batch_op.drop_column('starts_on')
        batch_op.drop_column('time_commitment')
        batch_op.drop_column('aims_evidence')
        batch_op.drop_column('aims_difference')
        batch_op.drop_column('aims_who')
        batch_op.drop_column('aims_what')

    with op.batch_alter_table('impact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_school_id'))
        batch_op.drop_index(batch_op.f('ix_impact_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_impact_created_at'))

    op.drop_table('impact')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_school_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_partnership_id'))

    op.drop_table('check_in')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    # ### end Alembic commands ###
